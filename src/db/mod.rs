//! Database plumbing: one connection type for SQLite and PostgreSQL, the pool, transactions and
//! migrations. Handlers never see a raw connection outside `Db::read`/`Db::write`.

pub mod derived;
pub mod reference;
pub mod schema;
pub mod search;
mod url;

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use url::{Backend, DatabaseUrl};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Key of the PostgreSQL advisory lock held while migrations run ("samverk" in ASCII).
pub const MIGRATION_LOCK_KEY: i64 = 0x73616d7665726b;
/// Statements that run longer than this are cancelled by the server: no request may hold a
/// connection (and its locks) indefinitely. Migrations lift these limits while they run.
const PG_REQUEST_TIMEOUTS: &str = "SET statement_timeout = '15s'; SET lock_timeout = '5s'";

/// How long a request waits for a working database connection before it is answered 503 (the
/// issue's fault target: fail within 2 s, never hang, when the database is stopped or frozen).
const CHECKOUT_DEADLINE: Duration = Duration::from_millis(1500);
/// A connection that answered within this long is handed out without a test round trip (HikariCP
/// does the same, with 500 ms). A request that fails on a connection makes the next checkout test
/// it. The price: a request that starts within this window after the database froze waits inside
/// its first statement like one that was already running, instead of failing at the deadline.
const PROVEN_FOR: Duration = Duration::from_millis(250);
/// States of a request's checkout: the first of the worker and the deadline to move it wins.
const WAITING: u8 = 0;
const STARTED: u8 = 1;
const ABANDONED: u8 = 2;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs `f` in one transaction. On SQLite it begins with `BEGIN IMMEDIATE`, which takes the
/// write lock at once and waits for it within `busy_timeout`: a deferred `BEGIN` that reads first
/// and writes later fails with "database is locked" at once, without waiting, when another
/// process (a second instance on the same file) wrote in between. PostgreSQL begins as usual.
fn transaction<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    E: From<diesel::result::Error>,
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <AnyConnection as Connection>::TransactionManager;
    match conn {
        AnyConnection::Sqlite(lite) => {
            AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?
        }
        AnyConnection::Postgresql(_) => Manager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Url(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("migrations failed: {0}")]
    Migrate(String),
    /// No working connection in time, or the pool gave up: try again later.
    #[error("{0}")]
    Unavailable(String),
    /// The blocking task that ran the work failed.
    #[error("{0}")]
    Internal(String),
}

impl From<r2d2::Error> for DbError {
    fn from(e: r2d2::Error) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

/// What work on a connection fails with: its own refusals, a database error, or the pool's
/// (`DbError`). The service's one error type (`http::problem::ApiError`) is the one used; the
/// mapping of database errors to problem documents happens there.
pub trait WorkError: From<diesel::result::Error> + From<DbError> + Send + 'static {
    /// Whether the database answered the work: a refusal of the request itself, not an outage or
    /// an internal error (after which the connection may be the cause and is tested again).
    fn database_answered(&self) -> bool;
}

/// A pooled connection, with when it last proved it works.
pub struct Pooled {
    conn: AnyConnection,
    /// When the connection last answered a request or a test; `None`: test it before use.
    proven_at: Option<Instant>,
}

impl Pooled {
    fn proven_recently(&self) -> bool {
        self.proven_at.is_some_and(|at| at.elapsed() < PROVEN_FOR)
    }
}

impl Deref for Pooled {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

/// Builds connections for the backend named by the URL's scheme (never by trial and error).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn connect(&self) -> Result<AnyConnection, DbError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn = diesel::PgConnection::establish(url)
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                conn.batch_execute(PG_REQUEST_TIMEOUTS)
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                Ok(AnyConnection::Postgresql(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                // busy_timeout first, so that switching to WAL waits for a concurrent opener.
                // secure_delete: deleted and overwritten content is zeroed in the file, so that an
                // erased person's data does not stay readable in free space ("Erased means erased").
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA secure_delete = ON;",
                )
                .map_err(|e| DbError::Connect(e.to_string()))?;
                search::register_unicode_lower(&mut conn)
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Pooled;
    type Error = DbError;

    fn connect(&self) -> Result<Pooled, DbError> {
        Ok(Pooled {
            conn: ConnectionManager::connect(self)?,
            proven_at: Some(Instant::now()),
        })
    }

    /// The checkout test (`SELECT 1`), skipped for a connection that answered a moment ago: under
    /// load it would be one round trip more per request.
    fn is_valid(&self, conn: &mut Pooled) -> Result<(), DbError> {
        if conn.proven_recently() {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(|e| DbError::Connect(e.to_string()))?;
        conn.proven_at = Some(Instant::now());
        Ok(())
    }

    fn has_broken(&self, conn: &mut Pooled) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The application's handle on the database.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// SQLite has one writer at a time; taking turns in-process avoids SQLITE_BUSY on upgrades
    /// from a read to a write transaction. PostgreSQL needs no such lock.
    sqlite_writer: Arc<Mutex<()>>,
}

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connection_timeout: Duration::from_secs(2),
        }
    }
}

impl Db {
    /// Opens the pool and proves the database answers, so that a wrong URL fails at start.
    pub fn open(url: &DatabaseUrl, options: &PoolOptions) -> Result<Self, DbError> {
        let manager = ConnectionManager::new(url.clone());
        // One connection up front gives the real error (r2d2 would only report a timeout).
        let first = manager.connect()?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            .connection_timeout(options.connection_timeout)
            .test_on_check_out(true)
            .error_handler(Box::new(r2d2::LoggingErrorHandler))
            .build(manager)
            .map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(Self {
            pool,
            backend: url.backend(),
            sqlite_writer: Arc::new(Mutex::new(())),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| DbError::Connect(e.to_string()))?;
        run_migrations(&mut conn)
    }

    /// Runs `f` on a pooled connection on the blocking thread pool, outside a transaction.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.on_connection(f).await
    }

    /// Runs `f` in one transaction: everything a request writes commits together or not at all.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let sqlite_writer = self.sqlite_writer.clone();
        let backend = self.backend;
        self.on_connection(move |conn| {
            let _turn = match backend {
                Backend::Sqlite => Some(sqlite_writer.lock().unwrap_or_else(|p| p.into_inner())),
                Backend::Postgres => None,
            };
            ERASING.set(false);
            let result = transaction(conn, f);
            if ERASING.take() && result.is_ok() {
                after_erasure(conn);
            }
            result
        })
        .await
    }

    /// Checks out a connection on the blocking thread pool and runs `f` on it. A database that is
    /// down or frozen makes the checkout (or its validity test, which has no client-side timeout)
    /// fail or hang: after `CHECKOUT_DEADLINE` the request is answered 503 and `f` never runs, so
    /// nothing is written behind the caller's back. Once `f` has started it runs to the end.
    async fn on_connection<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        let state = Arc::new(AtomicU8::new(WAITING));
        let worker_state = state.clone();
        // Texts rendered in the closure follow the language of the request that runs it.
        let lang = crate::text::current();
        let mut task = Box::pin(actix_web::web::block(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            if worker_state
                .compare_exchange(WAITING, STARTED, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                return Err(DbError::Unavailable(
                    "the request gave up waiting for a connection".into(),
                )
                .into());
            }
            let result = crate::text::on_this_thread(lang, || f(&mut conn));
            conn.proven_at = answered(&result).then(Instant::now);
            result
        }));
        let joined = match actix_web::rt::time::timeout(CHECKOUT_DEADLINE, &mut task).await {
            Ok(joined) => joined,
            Err(_)
                if state
                    .compare_exchange(WAITING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok() =>
            {
                return Err(DbError::Unavailable(format!(
                    "no working database connection within {} ms",
                    CHECKOUT_DEADLINE.as_millis()
                ))
                .into());
            }
            // The work began before the deadline: let it finish.
            Err(_) => task.await,
        };
        joined.map_err(|e| DbError::Internal(format!("blocking task failed: {e}")))?
    }

    /// The synchronous form of [`Db::write`], for background work that already runs off the
    /// async executor.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: WorkError,
        F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        let _turn = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres => None,
        };
        ERASING.set(false);
        let result = transaction(&mut conn.conn, f);
        if ERASING.take() && result.is_ok() {
            after_erasure(&mut conn.conn);
        }
        conn.proven_at = answered(&result).then(Instant::now);
        result
    }

    /// Rewrites `tables` so that what an erasure deleted leaves the database files, outside any
    /// transaction (the sweep calls it after erasures). PostgreSQL: `VACUUM FULL` of each (a
    /// plain `VACUUM` leaves the dead rows' bytes in the pages; `VACUUM FULL` writes new files with
    /// the live rows only, rebuilds the indexes and TOAST tables, and drops the old files). It
    /// holds an exclusive lock on each table while it runs (milliseconds on a register's tables).
    /// SQLite: `secure_delete` has zeroed the content already; the WAL, which still holds the
    /// pages as they were, is checkpointed and truncated.
    pub async fn rewrite_after_erasure<E: WorkError>(
        &self,
        tables: &'static [&'static str],
    ) -> Result<(), E> {
        let sqlite_writer = self.sqlite_writer.clone();
        self.on_connection(move |conn| {
            match conn {
                AnyConnection::Postgresql(pg) => {
                    let settled = settle_snapshots(pg)?;
                    for table in tables {
                        // One statement each: VACUUM refuses to run in a multi-statement string.
                        pg.batch_execute(&format!("VACUUM FULL {table}"))?;
                    }
                    if !settled {
                        return Err(DbError::Internal(format!(
                            "a session held a snapshot older than the erasure for {} s, so the \
                             rewrite may have kept the erased rows; the next sweep rewrites again",
                            SNAPSHOT_WAIT.as_secs()
                        ))
                        .into());
                    }
                }
                AnyConnection::Sqlite(lite) => {
                    let _turn = sqlite_writer.lock().unwrap_or_else(|p| p.into_inner());
                    let busy = checkpoint(lite)?;
                    if busy {
                        return Err(DbError::Internal(
                            "the WAL checkpoint after an erasure could not finish (a reader held \
                             an older snapshot); the next sweep tries again"
                                .into(),
                        )
                        .into());
                    }
                }
            }
            Ok(())
        })
        .await
    }

    /// Whether the database answers now (for `/health/ready`).
    pub async fn ping<E: WorkError>(&self) -> Result<(), E> {
        self.read(|conn| {
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
    }
}

thread_local! {
    /// Set by [`erasing`] during a write's transaction on this thread; read (and cleared) by
    /// [`Db::write`] once the transaction has ended.
    static ERASING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Tells the write running on this thread that it erases personal data. Once its transaction
/// has committed, [`Db::write`] (or [`Db::write_blocking`]) runs the backend's step after an
/// erasure on the same connection, outside the transaction: on SQLite a
/// `wal_checkpoint(TRUNCATE)`, so that the WAL no longer holds the pages as they were before
/// the erasure (`secure_delete` zeroes them in the database file); on PostgreSQL nothing, as the
/// sweep rewrites the tables ([`Db::rewrite_after_erasure`]). A rolled-back write does nothing.
pub fn erasing() {
    ERASING.set(true);
}

/// The step after an erasure's commit (see [`erasing`]). The erasure has committed: a failure
/// here is logged, not answered, and the sweep's rewrite tries again.
fn after_erasure(conn: &mut AnyConnection) {
    if let AnyConnection::Sqlite(lite) = conn {
        match checkpoint(lite) {
            Ok(false) => {}
            Ok(true) => log::warn!(
                "WAL checkpoint after an erasure could not finish (a reader held an older \
                 snapshot); the sweep tries again"
            ),
            Err(e) => log::warn!("WAL checkpoint after an erasure failed: {e}"),
        }
    }
}

/// How long the rewrite after an erasure waits for older snapshots to end (see `settle_snapshots`).
const SNAPSHOT_WAIT: Duration = Duration::from_secs(10);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Xid {
    #[diesel(sql_type = diesel::sql_types::Text)]
    xid: String,
}

/// Waits (at most `SNAPSHOT_WAIT`) until every transaction that began before now has ended, in
/// any database of the cluster, and no other session of this database holds a snapshot taken
/// before now. `VACUUM FULL` copies a deleted row that some snapshot could still see ("recently
/// dead") into the new file, so the erased data would survive the rewrite; and its own snapshot
/// counts: while a transaction that began before the erasure runs anywhere in the cluster, that
/// snapshot could see the row. An autovacuum `ANALYZE` or a test creating its database is enough
/// (seen in tests/erasure.rs). Transactions that begin later do not hold it back. `false` when
/// the wait ran out (the rewrite runs anyway, and is not taken as done).
fn settle_snapshots(pg: &mut diesel::PgConnection) -> Result<bool, diesel::result::Error> {
    // A transaction id from after the erasure committed (its own statement, committed at once).
    let now: Xid = diesel::sql_query("SELECT pg_current_xact_id()::text AS xid").get_result(pg)?;
    let now = now.xid.parse::<u64>().unwrap_or_default();
    let older = format!(
        "SELECT (SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                   AND (age(backend_xmin) > age(xid('{now}'::xid8)) \
                        OR age(backend_xid) > age(xid('{now}'::xid8)))) \
              + (pg_snapshot_xmin(pg_current_snapshot()) < '{now}'::xid8)::int AS n"
    );
    let deadline = Instant::now() + SNAPSHOT_WAIT;
    loop {
        let Count { n } = diesel::sql_query(&older).get_result(pg)?;
        if n == 0 {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// `PRAGMA wal_checkpoint(TRUNCATE)`: copies the WAL into the database file and truncates it to
/// zero bytes. `true` when it could not finish (busy), so the WAL was not truncated.
fn checkpoint(lite: &mut diesel::SqliteConnection) -> Result<bool, diesel::result::Error> {
    let row: Checkpoint = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(lite)?;
    Ok(row.busy != 0)
}

/// Whether the database answered the work (a success or a refusal of the request itself). After
/// an outage or an internal error the connection may be the cause: the next checkout tests it.
fn answered<T, E: WorkError>(result: &Result<T, E>) -> bool {
    result.as_ref().map_or_else(E::database_answered, |_| true)
}

/// The current time as stored: UTC, to the microsecond (what PostgreSQL keeps), so both backends
/// return the same instant that was written.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// How many keys one `IN (…)` statement binds: well under SQLite's limit of 32,766 bound
/// parameters, with room for a statement's other parameters (PostgreSQL binds the keys as one
/// array), so that an export's page of 10,000 rows names its partners in one statement.
pub const KEYS_PER_STATEMENT: usize = 10_000;

/// Loads the rows for many keys, [`KEYS_PER_STATEMENT`] keys to a statement, and gathers them in
/// the order the statements answered.
pub fn in_chunks<K, T, E>(
    keys: &[K],
    mut load: impl FnMut(&[K]) -> Result<Vec<T>, E>,
) -> Result<Vec<T>, E> {
    let mut rows = Vec::new();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        rows.extend(load(chunk)?);
    }
    Ok(rows)
}

/// What an update at a version wrote, read back by `read`; `None` when it wrote no row (another
/// write came first).
pub fn reread<T, E>(
    updated: usize,
    read: impl FnOnce() -> Result<Option<T>, E>,
) -> Result<Option<T>, E> {
    if updated == 0 { Ok(None) } else { read() }
}

/// Timestamps are stored as UTC without a zone (`now`); a row reads them as the UTC instants the
/// API shows, so that an API type can be the row itself.
impl diesel::deserialize::FromSql<diesel::sql_types::Timestamp, MultiBackend>
    for chrono::DateTime<chrono::Utc>
{
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> diesel::deserialize::Result<Self> {
        <chrono::NaiveDateTime as diesel::deserialize::FromSql<
            diesel::sql_types::Timestamp,
            MultiBackend,
        >>::from_sql(bytes)
        .map(|t| t.and_utc())
    }
}

/// Reads a text column into a type that parses its stored name (`from_db`), so that an API type
/// holding the enum can be the row itself: `stored_as_text!(UnitType, UnitType::from_db)`.
macro_rules! stored_as_text {
    ($t:ty, $parse:expr) => {
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend>
            for $t
        {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let name: String = diesel::deserialize::FromSql::<
                    diesel::sql_types::Text,
                    $crate::db::MultiBackend,
                >::from_sql(bytes)?;
                Ok($parse(&name))
            }
        }

        impl diesel::Queryable<diesel::sql_types::Text, $crate::db::MultiBackend> for $t {
            type Row = Self;

            fn build(row: Self) -> diesel::deserialize::Result<Self> {
                Ok(row)
            }
        }
    };
}
pub(crate) use stored_as_text;

/// One page of a list and how many rows the list has in all, in two statements: `$query` (an
/// expression that builds the filtered query; it is evaluated for each statement) is counted,
/// then its rows `$offset..$offset + $limit` in `$order` are read as `$select`. Yields
/// `(rows, total)`; a failed statement returns its error through the caller's `?`.
macro_rules! page {
    ($conn:expr, $query:expr, $order:expr, $select:expr, $offset:expr, $limit:expr) => {{
        use diesel::prelude::*;
        let total = $query.count().get_result::<i64>($conn)?;
        let rows = ($query.order($order))
            .offset($offset)
            .limit($limit)
            .select($select)
            .load($conn)?;
        (rows, total)
    }};
}
pub(crate) use page;

/// A statement written by hand (for SQL that diesel's builder cannot express on both databases)
/// whose text depends only on the backend, so that diesel keeps it prepared per connection.
///
/// ```ignore
/// prepared! {
///     /// What the statement reads.
///     struct OneThing -> (Text, Bool) {
///         at: NaiveDateTime as Timestamp,
///         id: String as Text,
///     }
///     text = one_thing; // fn(postgres: bool) -> [String; 2]: the SQL before each bind
/// }
/// ```
///
/// The struct gets a `postgres: bool` field beside the binds, and its text is built once per
/// backend: `text(postgres)` returns the SQL before each bind, in the order the fields are
/// declared, and may return one piece more for the SQL after the last.
macro_rules! prepared {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident -> $sql_type:ty {
            $($field:ident : $rust:ty as $bind:ty),+ $(,)?
        }
        text = $text:path;
    ) => {
        $(#[$meta])*
        $vis struct $name {
            pub postgres: bool,
            $(pub $field: $rust,)+
        }

        impl diesel::query_builder::QueryId for $name {
            type QueryId = Self;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl diesel::query_builder::Query for $name {
            type SqlType = $sql_type;
        }

        impl diesel::query_builder::QueryFragment<$crate::db::MultiBackend> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, $crate::db::MultiBackend>,
            ) -> diesel::QueryResult<()> {
                static POSTGRES: std::sync::LazyLock<Vec<String>> =
                    std::sync::LazyLock::new(|| $text(true).into());
                static SQLITE: std::sync::LazyLock<Vec<String>> =
                    std::sync::LazyLock::new(|| $text(false).into());
                let mut pieces = if self.postgres { &*POSTGRES } else { &*SQLITE }.iter();
                let mut next = || pieces.next().map(String::as_str).unwrap_or_default();
                out.push_sql(next());
                $(
                    out.push_bind_param::<$bind, _>(&self.$field)?;
                    out.push_sql(next());
                )+
                Ok(())
            }
        }

        impl diesel::RunQueryDsl<$crate::db::AnyConnection> for $name {}
    };
}
pub(crate) use prepared;

/// Applies pending migrations; on PostgreSQL under an advisory lock so that instances starting
/// together apply the schema once.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    let migrate = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migrate(e.to_string());
    let applied = match conn {
        AnyConnection::Postgresql(pg) => {
            // An instance waits for another's migrations however long they take, and a long
            // migration (an index on a big table) is not cut off by the request timeouts.
            pg.batch_execute(&format!(
                "SET statement_timeout = 0; SET lock_timeout = 0; \
                 SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"
            ))
            .map_err(|e| DbError::Migrate(e.to_string()))?;
            let result = pg
                .run_pending_migrations(PG_MIGRATIONS)
                .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>());
            let unlock = pg.batch_execute(&format!(
                "SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY}); {PG_REQUEST_TIMEOUTS}"
            ));
            let applied = result.map_err(migrate)?;
            unlock.map_err(|e| DbError::Migrate(e.to_string()))?;
            applied
        }
        AnyConnection::Sqlite(sqlite) => sqlite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(migrate)?,
    };
    Ok(applied)
}
