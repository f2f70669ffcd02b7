//! A transaction of its own on a second connection, held open while the app writes: how the feed
//! and webhook tests make transactions commit in another order than they began writing.

use diesel::connection::SimpleConnection;
use samverkan::db::{AnyConnection, ConnectionManager};
use samverkan::events::{Change, EntityType, EventAction};

use super::{Backend, TestApp};

pub struct Held {
    conn: AnyConnection,
}

impl Held {
    /// Begins, and on PostgreSQL takes its transaction id at once (before any later one's).
    pub fn begin(app: &TestApp) -> Self {
        let mut conn = ConnectionManager::new(app.database.url.clone())
            .connect()
            .unwrap();
        conn.batch_execute(match app.backend {
            Backend::Postgres => "BEGIN; SELECT pg_current_xact_id()",
            Backend::Sqlite => "BEGIN IMMEDIATE",
        })
        .unwrap();
        Held { conn }
    }

    /// Appends the deletion of unit `entity` to the change log, in the held transaction.
    pub fn append(&mut self, entity: &str) -> i64 {
        let change = Change::gone(EntityType::Unit, entity, EventAction::Deleted, 2);
        samverkan::events::append(&mut self.conn, "holder", change).unwrap()
    }

    pub fn commit(mut self) {
        self.conn.batch_execute("COMMIT").unwrap();
    }
}
