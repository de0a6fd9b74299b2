//! The shape of a seed and the SQL that derives every client, ticket and message from its row
//! number.

use chrono::Utc;
use sea_orm::DatabaseBackend;

use super::{
    ACCEPTED_PER_AGENT, AGENTS_PER_DEPARTMENT, COMMON, MAX_PENDING, MESSAGE_GAP, MULTIPLIERS,
    RARE_WORDS, SeedOptions,
};

/// The shape of a seed: sizes, ids and the SQL that derives every row from its number.
pub(super) struct Plan {
    pub(super) tickets: u64,
    pub(super) per_ticket: u64,
    pub(super) clients: u64,
    pub(super) pending: u64,
    pub(super) accepted: u64,
    pub(super) departments: Vec<i64>,
    pub(super) agents: Vec<i64>,
    /// Unix time of ticket 0, and seconds between two tickets.
    pub(super) base: i64,
    pub(super) step: i64,
}

impl Plan {
    pub(super) fn new(options: &SeedOptions, departments: Vec<i64>, agents: Vec<i64>) -> Self {
        let tickets = options.tickets;
        let open_room = (tickets / 20).max(1);
        let pending = MAX_PENDING.min(open_room);
        let accepted = (ACCEPTED_PER_AGENT * agents.len() as u64).min(open_room);
        let clients = (tickets / 2).max(pending + accepted).max(1);
        let span = 365 * 86_400_i64;
        let step = (span / tickets as i64).max(1);
        let base = Utc::now().timestamp() - step * tickets as i64 - 3_600;
        Self {
            tickets,
            per_ticket: options.messages_per_ticket,
            clients,
            pending,
            accepted,
            departments,
            agents,
            base,
            step,
        }
    }

    /// The first accepted ticket number and the first pending one: the open tickets are the newest.
    pub(super) fn open_bounds(&self) -> (u64, u64) {
        let first_pending = self.tickets - self.pending + 1;
        (first_pending - self.accepted, first_pending)
    }

    /// The department of ticket `i` (an SQL expression over `i`).
    pub(super) fn department(&self, i: &str) -> String {
        let d = self.departments.len();
        let arms = self
            .departments
            .iter()
            .enumerate()
            .map(|(k, id)| format!("WHEN {k} THEN {id}"))
            .collect::<Vec<_>>()
            .join(" ");
        format!("CASE ({i}) % {d} {arms} END")
    }

    /// The agent of ticket `i`: one of its department's agents.
    pub(super) fn agent(&self, i: &str) -> String {
        let d = self.departments.len();
        let arms = self
            .agents
            .iter()
            .enumerate()
            .map(|(k, id)| format!("WHEN {k} THEN {id}"))
            .collect::<Vec<_>>()
            .join(" ");
        let per = AGENTS_PER_DEPARTMENT;
        format!("CASE (({i}) % {d}) * {per} + (({i}) / {d}) % {per} {arms} END")
    }

    pub(super) fn client_of(&self, i: &str) -> String {
        format!("((({i}) - 1) % {} + 1)", self.clients)
    }

    pub(super) fn clients_sql(&self, backend: DatabaseBackend, lo: u64, hi: u64) -> String {
        let c = "(s.n + 1)";
        let at = ts(backend, &format!("{} + {c}", self.base));
        format!(
            "INSERT INTO clients (id, telegram_id, username, name, language, created_at, updated_at, priority) \
             SELECT {c}, 5000000000 + {c}, \
             CASE WHEN {c} % 5 = 0 THEN NULL ELSE 'user' || {c} END, \
             'Customer ' || {c}, CASE WHEN {c} % 3 = 0 THEN 'de' ELSE 'en' END, {at}, {at}, 0 \
             FROM {}",
            series(backend, lo, hi)
        )
    }

    pub(super) fn tickets_sql(&self, backend: DatabaseBackend, lo: u64, hi: u64) -> String {
        let i = "(s.n + 1)";
        let (first_accepted, first_pending) = self.open_bounds();
        let created = format!("({} + {i} * {})", self.base, self.step);
        let last = format!("({created} + {})", (self.per_ticket - 1) * MESSAGE_GAP);
        let closed = format!("({last} + 60)");
        let status = format!(
            "CASE WHEN {i} >= {first_pending} THEN 'pending' WHEN {i} >= {first_accepted} THEN 'accepted' ELSE 'closed' END"
        );
        let agent = self.agent(i);
        format!(
            "INSERT INTO tickets (id, client_id, department_id, status, owner_id, created_at, updated_at, \
             accepted_at, closed_at, close_reason, last_owner_id, open_slot, priority, \
             customer_wrote_at, awaiting_reply_since) \
             SELECT {i}, {client}, {department}, {status}, \
             CASE WHEN {i} >= {first_accepted} AND {i} < {first_pending} THEN {agent} END, \
             {created_ts}, CASE WHEN {i} < {first_accepted} THEN {closed_ts} ELSE {last_ts} END, \
             CASE WHEN {i} < {first_pending} THEN {accepted_ts} END, \
             CASE WHEN {i} < {first_accepted} THEN {closed_ts} END, \
             CASE WHEN {i} >= {first_accepted} THEN NULL WHEN {i} % 7 = 0 THEN 'idle' ELSE 'resolved' END, \
             CASE WHEN {i} < {first_pending} THEN {agent} END, 0, 0, {last_ts}, \
             CASE WHEN {i} >= {first_pending} THEN {created_ts} END \
             FROM {series}",
            client = self.client_of(i),
            department = self.department(i),
            created_ts = ts(backend, &created),
            last_ts = ts(backend, &last),
            closed_ts = ts(backend, &closed),
            accepted_ts = ts(backend, &format!("({created} + 30)")),
            series = series(backend, lo, hi),
        )
    }

    pub(super) fn messages_sql(&self, backend: DatabaseBackend, lo: u64, hi: u64) -> String {
        let m = self.per_ticket;
        let i = format!("(s.n / {m} + 1)");
        let j = format!("(s.n % {m})");
        let (_, first_pending) = self.open_bounds();
        // Agents answer every other message, except in tickets nobody has accepted yet.
        let outbound = format!("({j} % 2 = 1 AND {i} < {first_pending})");
        let common = COMMON.len();
        let all = COMMON.len() + RARE_WORDS;
        // A different multiplier per word, so that no word decides another.
        let word = |k: usize, pool: usize| {
            format!(
                "(SELECT w FROM seed_words WHERE i = (s.n + 1) * {} % 4294967291 % {pool})",
                MULTIPLIERS[k - 1]
            )
        };
        let text = format!(
            "CASE WHEN {j} = 0 THEN 'hello ' ELSE '' END || {} || ' ' || {} || ' ' || {} || ' ' || {} || ' ' || {} \
             || CASE WHEN {j} = 0 THEN ' order ' || (({i} * 7919) % 1000003) ELSE '' END",
            word(1, common),
            word(2, all),
            word(3, common),
            word(4, all),
            word(5, all),
        );
        let created = format!(
            "({} + {i} * {} + {j} * {MESSAGE_GAP})",
            self.base, self.step
        );
        format!(
            "INSERT INTO messages (id, ticket_id, direction, author_kind, author_agent_id, text, \
             telegram_chat_id, telegram_message_id, delivery, created_at) \
             SELECT s.n + 1, {i}, \
             CASE WHEN {outbound} THEN 'out' ELSE 'in' END, \
             CASE WHEN {outbound} THEN 'agent' ELSE 'customer' END, \
             CASE WHEN {outbound} THEN {agent} END, \
             {text}, 5000000000 + {client}, s.n + 1, \
             CASE WHEN {outbound} THEN 'sent' END, {created_ts} \
             FROM {series}",
            agent = self.agent(&i),
            client = self.client_of(&i),
            created_ts = ts(backend, &created),
            series = series(backend, lo, hi),
        )
    }
}

/// The numbers `lo..hi` as rows `s(n)`.
fn series(backend: DatabaseBackend, lo: u64, hi: u64) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("generate_series({lo}::bigint, {}::bigint) AS s(n)", hi - 1)
        }
        _ => format!(
            "(WITH RECURSIVE r(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM r WHERE n + 1 < {hi}) \
             SELECT n FROM r) AS s"
        ),
    }
}

/// A timestamp from Unix seconds, stored as the application stores one.
fn ts(backend: DatabaseBackend, seconds: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("to_timestamp({seconds})"),
        // sqlx writes RFC 3339 with `+00:00`, without fractions for whole seconds.
        _ => format!("(strftime('%Y-%m-%dT%H:%M:%S', {seconds}, 'unixepoch') || '+00:00')"),
    }
}
