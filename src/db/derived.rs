//! Answers derived from many tables (an agreement's compliance, a partner's eligibility), kept
//! between reads for as long as the register has not changed.
//!
//! The register's **generation** ([`GENERATION_SQL`]) is a number that two reads share only when
//! they see the same register. On PostgreSQL it is a 64-bit hash of the statement's snapshot
//! (`pg_current_snapshot()`): two snapshots that are equal see the same committed transactions, so
//! the same rows, and every commit anywhere in the cluster gives later snapshots another one. On
//! SQLite, where writers take turns and every write appends to the change log, it is the newest
//! change-log id. Generations are compared for equality only. An answer is stored under the
//! generation its request read *before* it read the answer's inputs, and is served only to reads
//! that see that same generation, so it is never older than what the read would have computed, on
//! any instance. Answers that depend on the day carry the day in their key. On SQLite a change
//! made behind the service's back (no change-log entry) is seen within [`MAX_AGE`].
//!
//! Only reads outside a transaction use this: a write's own uncommitted id could be reused by
//! another write after a rollback (SQLite hands out AUTOINCREMENT ids again after one).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::AnyConnection;

/// How long an answer is served at most, changes or not.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The register's generation as a scalar SQL expression of type bigint, for statements that read
/// it beside their own data (the same text on both databases: the view `register_generation`,
/// which each database's migrations define; on PostgreSQL it is computed, on SQLite one indexed
/// read).
pub const GENERATION_SQL: &str = "(SELECT g.generation FROM register_generation g)";

/// The register's version ([`GENERATION_SQL`]) read on its own.
pub fn generation(conn: &mut AnyConnection) -> Result<i64, diesel::result::Error> {
    #[derive(QueryableByName)]
    struct Generation {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        generation: i64,
    }
    Ok(
        diesel::sql_query(format!("SELECT {GENERATION_SQL} AS generation"))
            .get_result::<Generation>(conn)?
            .generation,
    )
}

/// Answers of one kind for the last register generation stored, at most `capacity` of them.
pub struct Derived<K, V> {
    name: &'static str,
    capacity: usize,
    state: Mutex<State<K, V>>,
}

struct State<K, V> {
    generation: i64,
    answers: HashMap<K, (Instant, V)>,
}

impl<K: Eq + Hash, V: Clone> Derived<K, V> {
    pub fn new(name: &'static str, capacity: usize) -> Self {
        Self {
            name,
            capacity,
            state: Mutex::new(State {
                generation: 0,
                answers: HashMap::new(),
            }),
        }
    }

    /// The answer stored for `key` at `generation`, if it is younger than [`MAX_AGE`].
    pub fn get(&self, generation: i64, key: &K) -> Option<V> {
        let found = {
            let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            (state.generation == generation)
                .then(|| fresh(&state, key))
                .flatten()
        };
        self.count(found.is_some());
        found
    }

    /// The answer stored for `key`, if it is younger than [`MAX_AGE`], with the generation it was
    /// stored for: for a read that asks the database whether that generation is still current in
    /// the statement that would read the answer's inputs (and then counts its outcome with
    /// [`Derived::count`]).
    pub fn latest(&self, key: &K) -> Option<(i64, V)> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        fresh(&state, key).map(|v| (state.generation, v))
    }

    /// Counts a read that found its answer here (`hit`) or computed it.
    pub fn count(&self, hit: bool) {
        let outcome = if hit { "hit" } else { "miss" };
        metrics::counter!("derived_answers_total", "answer" => self.name, "outcome" => outcome)
            .increment(1);
    }

    /// Stores an answer computed from inputs read after `generation` was read. An answer for
    /// another generation than the one stored replaces them all (generations have no order: the
    /// newest read is taken to be the newest register).
    pub fn put(&self, generation: i64, key: K, value: V) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if generation != state.generation || state.answers.len() >= self.capacity {
            state.answers.clear();
            state.generation = generation;
        }
        state.answers.insert(key, (Instant::now(), value));
    }
}

/// The answer stored for `key`, if it is younger than [`MAX_AGE`].
fn fresh<K: Eq + Hash, V: Clone>(state: &State<K, V>, key: &K) -> Option<V> {
    (state.answers.get(key))
        .filter(|(at, _)| at.elapsed() < MAX_AGE)
        .map(|(_, v)| v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_served_only_at_the_generation_it_was_stored_for() {
        let d = Derived::new("test", 10);
        d.put(5, "a", 1);
        assert_eq!(d.get(5, &"a"), Some(1));
        assert_eq!(d.get(6, &"a"), None, "a newer register");
        assert_eq!(d.get(4, &"a"), None, "an older register");
        assert_eq!(
            d.latest(&"a"),
            Some((5, 1)),
            "with the generation it was stored for"
        );
        assert_eq!(d.latest(&"b"), None);
    }

    #[test]
    fn another_generation_replaces_the_answers_kept() {
        let d = Derived::new("test", 10);
        d.put(5, "a", 1);
        d.put(-7, "b", 2);
        assert_eq!(d.get(-7, &"a"), None);
        assert_eq!(d.get(-7, &"b"), Some(2));
        assert_eq!(d.get(5, &"a"), None, "replaced");
        d.put(5, "a", 3);
        assert_eq!(d.get(5, &"a"), Some(3));
        assert_eq!(d.get(-7, &"b"), None, "replaced in turn");
    }

    #[test]
    fn the_store_never_holds_more_than_its_capacity() {
        let d = Derived::new("test", 3);
        for i in 0..10 {
            d.put(1, i, i);
            let held = d.state.lock().unwrap().answers.len();
            assert!(held <= 3, "{held} answers held");
        }
        assert_eq!(d.get(1, &9), Some(9));
    }
}
