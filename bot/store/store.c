/*
 * The sqlite store (see store.h). Statements are prepared once at open and
 * finalized at close. The connection is serialized by sqlite itself
 * (SQLITE_OPEN_FULLMUTEX), so a worker thread may use the store too.
 *
 * synchronous=NORMAL in WAL mode: a commit survives a crash of the bot;
 * only a power cut can lose the last transactions.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "fsperm.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "xmalloc.h"


struct store {
	sqlite3		*db;
	char		*path;
	void		(*txn_end)(void *, int);	/* or NULL */
	void		*txn_end_arg;
	uint64_t	 commits;	/* store_commits() */
	struct store_ckpt *ckpt;	/* or NULL: sqlite checkpoints */
	sqlite3_stmt	*outbox_insert;
	sqlite3_stmt	*outbox_pending;
	sqlite3_stmt	*outbox_sent;
	sqlite3_stmt	*outbox_attempt;
	sqlite3_stmt	*outbox_failed;
	sqlite3_stmt	*outbox_platform_id;
	sqlite3_stmt	*cached[STORE_CACHED_MAX];	/* store_stmt() */
};

/*
 * Migration N brings the schema from version N-1 to N. Append only: a
 * released migration never changes, or files in the field diverge.
 */
static const char *const store_migrations[] = {
	NULL,
	/* 1: the audit trail. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  platform TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  command TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  duration_ms INTEGER NOT NULL"
	");",
	/* 2: display names and error text; time queries need an index. */
	"ALTER TABLE audit ADD COLUMN user_name TEXT;"
	"ALTER TABLE audit ADD COLUMN detail TEXT;"
	"CREATE INDEX audit_ts ON audit(ts);",
	/* 3: the outbox: every chat message, written before it is sent. */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  created INTEGER NOT NULL,"
	"  platform TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  target TEXT,"
	"  body TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  platform_id TEXT,"
	"  sent INTEGER"
	");"
	"CREATE INDEX outbox_pending ON outbox(state, id);",
	/*
	 * 4: alerts (one row per fingerprint), their timeline, silences,
	 * and the chat messages that show alert groups (alert_notes).
	 */
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  fingerprint TEXT NOT NULL UNIQUE,"
	"  source TEXT NOT NULL,"
	"  alertname TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  labels TEXT NOT NULL,"
	"  annotations TEXT NOT NULL,"
	"  url TEXT,"
	"  state TEXT NOT NULL,"
	"  shown TEXT,"
	"  starts_at INTEGER NOT NULL,"
	"  ends_at INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  acked_by TEXT,"
	"  silence_id INTEGER"
	");"
	"CREATE INDEX alerts_open ON alerts(state) WHERE state != 'resolved';"
	"CREATE TABLE alert_events ("
	"  id INTEGER PRIMARY KEY,"
	"  alert_id INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  who TEXT NOT NULL,"
	"  what TEXT NOT NULL,"
	"  why TEXT"
	");"
	"CREATE INDEX alert_events_alert ON alert_events(alert_id, id);"
	"CREATE TABLE silences ("
	"  id INTEGER PRIMARY KEY,"
	"  matchers TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  ends_at INTEGER NOT NULL,"
	"  author TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  ended INTEGER"
	");"
	"CREATE TABLE alert_notes ("
	"  id INTEGER PRIMARY KEY,"
	"  group_key TEXT NOT NULL,"
	"  receiver TEXT NOT NULL,"
	"  outbox_id INTEGER NOT NULL,"
	"  open INTEGER NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  repeated INTEGER NOT NULL"
	");"
	"CREATE INDEX alert_notes_open ON alert_notes(group_key) WHERE open;",
	/* 5: checklist runs (SOD, EOD, ...) and each check's result. */
	"CREATE TABLE checklist_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  finished INTEGER NOT NULL,"
	"  trigger TEXT NOT NULL,"
	"  passed INTEGER NOT NULL,"
	"  total INTEGER NOT NULL"
	");"
	"CREATE INDEX checklist_runs_name ON checklist_runs(name, id);"
	"CREATE TABLE checklist_results ("
	"  run_id INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  output TEXT,"
	"  PRIMARY KEY (run_id, idx)"
	");"
	"CREATE TABLE schedule_runs ("
	"  name TEXT PRIMARY KEY,"
	"  last_due INTEGER NOT NULL,"
	"  last_run INTEGER NOT NULL"
	");",
	/*
	 * 6: single-use confirmations of commands that change production;
	 * how a command arrived (typed or a button click); silences mirrored
	 * to an Alertmanager (its API URL and the silence id it gave).
	 */
	"CREATE TABLE confirmations ("
	"  token TEXT PRIMARY KEY,"
	"  command TEXT NOT NULL,"
	"  platform TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  message_ref TEXT,"
	"  used_at INTEGER,"
	"  used_by TEXT,"
	"  used_by_name TEXT,"
	"  outcome TEXT"
	");"
	"ALTER TABLE audit ADD COLUMN via TEXT NOT NULL DEFAULT 'typed';"
	"ALTER TABLE silences ADD COLUMN remote_url TEXT;"
	"ALTER TABLE silences ADD COLUMN remote_id TEXT;",
	/*
	 * 7: the runbook library (/runbook): the files indexed, with what a
	 * re-index compares (mtime, size), and their words for full-text
	 * search; a document's rowid in runbooks_fts is its file's id.
	 */
	"CREATE TABLE runbook_files ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE,"
	"  mtime INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  title TEXT NOT NULL"
	");"
	"CREATE VIRTUAL TABLE runbooks_fts USING fts5(title, path, body,"
	"  tokenize = 'porter unicode61');",
	/*
	 * 8: the rest of the support day, in one step so that the parts
	 * built on it agree on their tables.
	 * - The audit becomes tamper-evident: each row's hash chains to the
	 *   previous row's; retention records the hash it pruned from in
	 *   audit_anchor. A command's thread places it in an incident.
	 * - Incidents: their notes (kind: open, note, status, link, close,
	 *   reopen), the alerts linked to them, the RCA draft kept on close.
	 * - Tickets (ServiceNow): one row per correlation id, so a re-fired
	 *   alert or a restarted bot finds the ticket instead of opening
	 *   another.
	 * - Hosts' last known state and disk use per mount over time, for
	 *   the web page.
	 */
	"ALTER TABLE audit ADD COLUMN thread TEXT;"
	"ALTER TABLE audit ADD COLUMN prev_hash TEXT;"
	"ALTER TABLE audit ADD COLUMN hash TEXT;"
	"CREATE TABLE audit_anchor ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  pruned_upto INTEGER NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open',"
	"  status TEXT,"
	"  platform TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  outbox_id INTEGER,"
	"  thread TEXT,"
	"  opened INTEGER NOT NULL,"
	"  opened_by TEXT NOT NULL,"
	"  opened_by_name TEXT,"
	"  source TEXT NOT NULL DEFAULT 'chat',"
	"  closed INTEGER,"
	"  closed_by TEXT,"
	"  closed_by_name TEXT,"
	"  resolution TEXT,"
	"  rca TEXT"
	");"
	"CREATE INDEX incidents_open ON incidents(state) WHERE state = 'open';"
	"CREATE TABLE incident_notes ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  who TEXT NOT NULL,"
	"  who_name TEXT,"
	"  kind TEXT NOT NULL,"
	"  text TEXT NOT NULL"
	");"
	"CREATE INDEX incident_notes_incident ON incident_notes(incident_id,"
	"  id);"
	"CREATE TABLE incident_alerts ("
	"  incident_id INTEGER NOT NULL,"
	"  alert_id INTEGER NOT NULL,"
	"  linked INTEGER NOT NULL,"
	"  linked_by TEXT NOT NULL,"
	"  PRIMARY KEY (incident_id, alert_id)"
	");"
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  correlation_id TEXT NOT NULL UNIQUE,"
	"  source TEXT NOT NULL,"
	"  source_id TEXT,"
	"  short_description TEXT NOT NULL,"
	"  category TEXT,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  sys_id TEXT,"
	"  number TEXT,"
	"  url TEXT,"
	"  platform TEXT,"
	"  channel TEXT,"
	"  created INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  last_error TEXT"
	");"
	"CREATE TABLE host_state ("
	"  host TEXT PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"
	"  summary TEXT NOT NULL"
	");"
	"CREATE TABLE disk_samples ("
	"  host TEXT NOT NULL,"
	"  mount TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  used_pct INTEGER NOT NULL"
	");"
	"CREATE INDEX disk_samples_host ON disk_samples(host, mount, at);",
};

/*
 * Sets *cause (caller frees) unless the caller passed NULL: every store
 * function accepts a NULL cause, for callers that only log a failure.
 */
static void	store_cause(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
store_cause(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
}

static int
store_fail(struct store *s, char **cause, const char *what)
{
	store_cause(cause, "%s: %s: %s", s->path, what,
	    sqlite3_errmsg(s->db));
	return -1;
}

static int
store_exec(struct store *s, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		store_cause(cause, "%s: %s", s->path, err != NULL ? err :
		    sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
store_schema_version(struct store *s)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Runs each pending migration in its own transaction. */
static int
store_migrate(struct store *s, char **cause)
{
	int	 v = store_schema_version(s), n;
	char	*sql;

	if (v < 0)
		return store_fail(s, cause, "cannot read schema version");
	if (v > STORE_SCHEMA_VERSION) {
		store_cause(cause, "%s: schema version %d is newer than this "
		    "opsbot understands (%d); upgrade opsbot or use another "
		    "data_dir", s->path, v, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (n = v + 1; n <= STORE_SCHEMA_VERSION; n++) {
		xasprintf(&sql, "BEGIN IMMEDIATE; %s PRAGMA user_version = %d;"
		    " COMMIT;", store_migrations[n], n);
		if (store_exec(s, sql, cause) != 0) {
			free(sql);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		free(sql);
	}
	return 0;
}

static int
store_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
    char **cause)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return store_fail(s, cause, "cannot prepare statement");
	return 0;
}

/* sqlite's commit hook: every commit, explicit or not (0: let it go). */
static int
store_count_commit(void *arg)
{
	((struct store *)arg)->commits++;
	return 0;
}

static int
store_private(const char *path, char **cause)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", NULL };
	const char *const	*sfx;
	char			*f;
	int			 rc = 0;

	for (sfx = suffixes; rc == 0 && *sfx != NULL; sfx++) {
		xasprintf(&f, "%s%s", path, *sfx);
		rc = fsperm_private(f, cause);
		free(f);
	}
	return rc;
}

struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;
	sqlite3_stmt	*st;
	char		*why = NULL;
	int		 fd, ok;

	if (cause != NULL)
		cause_clear(cause);
	/* Create it owner-only before sqlite does, with its umask. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		store_cause(cause, "%s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	close(fd);
	/*
	 * An existing file keeps its mode, and sqlite gives a new WAL and
	 * shm file the database's: all three owner-only before opening.
	 */
	if (store_private(path, cause) != 0)
		return NULL;

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		store_fail(s, cause, "cannot open");
		goto fail;
	}
	store_busy_install(s->db);
	sqlite3_commit_hook(s->db, store_count_commit, s);
	sqlite3_extended_result_codes(s->db, 1);

	/* journal_mode answers with the mode it ended up in. */
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		store_fail(s, cause, "cannot set WAL mode");
		goto fail;
	}
	ok = sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)
	    sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!ok) {
		store_fail(s, cause, "not a database, or cannot use WAL mode");
		goto fail;
	}
	/* A small page cache (queries touch few pages); a WAL cut back. */
	if (store_exec(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
	    " PRAGMA cache_size=-512; PRAGMA journal_size_limit=4194304;",
	    cause) != 0 ||
	    store_migrate(s, cause) != 0)
		goto fail;
	if ((s->ckpt = store_ckpt_start(s->db, path, &why)) == NULL)
		log_warn("store", "%s; sqlite checkpoints on commit", why);
	free(why);

	if (store_chain_register(s->db, cause) != 0 ||
	    store_prepare(s, "INSERT INTO outbox (created, platform, channel, "
	    "kind, target, body) VALUES (?, ?, ?, ?, ?, ?)", &s->outbox_insert,
	    cause) != 0 ||
	    store_prepare(s, "SELECT id, created, platform, channel, kind, "
	    "target, body, attempts FROM outbox WHERE state = 'pending' "
	    "ORDER BY id", &s->outbox_pending, cause) != 0 ||
	    store_prepare(s, "UPDATE outbox SET state = 'sent', platform_id = ?, "
	    "sent = ?, attempts = attempts + 1 WHERE id = ?", &s->outbox_sent,
	    cause) != 0 ||
	    store_prepare(s, "UPDATE outbox SET attempts = attempts + 1, "
	    "last_error = ? WHERE id = ?", &s->outbox_attempt, cause) != 0 ||
	    store_prepare(s, "UPDATE outbox SET state = 'failed', attempts = "
	    "attempts + 1, last_error = ? WHERE id = ?", &s->outbox_failed,
	    cause) != 0)
		goto fail;
	return s;

fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_ckpt_stop(s->ckpt, s->db);
	sqlite3_finalize(s->outbox_insert);
	sqlite3_finalize(s->outbox_pending);
	sqlite3_finalize(s->outbox_sent);
	sqlite3_finalize(s->outbox_attempt);
	sqlite3_finalize(s->outbox_failed);
	sqlite3_finalize(s->outbox_platform_id);
	for (size_t i = 0; i < STORE_CACHED_MAX; i++)
		sqlite3_finalize(s->cached[i]);
	/* Checkpoints the WAL back into the file on the last close. */
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

int
store_errcode(struct store *s)
{
	return sqlite3_extended_errcode(s->db);
}

uint64_t
store_checkpoints(const struct store *s)
{
	return store_ckpt_done(s->ckpt);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

int64_t
store_outbox_add(struct store *s, const struct store_outbox_row *r,
    char **cause)
{
	sqlite3_stmt	*st = s->outbox_insert;
	int		 rc;

	if (cause != NULL)
		cause_clear(cause);
	sqlite3_bind_int64(st, 1, r->created_ms);
	store_bind_text(st, 2, r->platform);
	store_bind_text(st, 3, r->channel);
	store_bind_text(st, 4, r->kind);
	store_bind_text(st, 5, r->target);
	store_bind_text(st, 6, r->body);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		store_fail(s, cause, "cannot add to the outbox");
		return -1;
	}
	return sqlite3_last_insert_rowid(s->db);
}

static char *
store_column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*t = sqlite3_column_text(st, i);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

int
store_outbox_pending(struct store *s, store_outbox_cb cb, void *arg)
{
	sqlite3_stmt		*st = s->outbox_pending;
	struct store_outbox_row	 r;
	int			 rc, n = 0;

	/* The caller logs that the outbox could not be read; no cause here. */
	while ((rc = store_next_row(s, st, "cannot read the outbox",
	    NULL)) > 0) {
		memset(&r, 0, sizeof r);
		r.id = sqlite3_column_int64(st, 0);
		r.created_ms = sqlite3_column_int64(st, 1);
		r.platform = store_column_dup(st, 2);
		r.channel = store_column_dup(st, 3);
		r.kind = store_column_dup(st, 4);
		r.target = store_column_dup(st, 5);
		r.body = store_column_dup(st, 6);
		r.attempts = sqlite3_column_int(st, 7);
		cb(arg, &r);	/* takes the strings */
		n++;
	}
	return rc < 0 ? -1 : n;
}

static int
store_outbox_update(struct store *s, sqlite3_stmt *st, char **cause)
{
	int	 rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, cause, "cannot update the outbox");
	return 0;
}

int
store_outbox_sent(struct store *s, int64_t id, const char *platform_id,
    int64_t now_ms, char **cause)
{
	if (cause != NULL)
		cause_clear(cause);
	store_bind_text(s->outbox_sent, 1, platform_id);
	sqlite3_bind_int64(s->outbox_sent, 2, now_ms);
	sqlite3_bind_int64(s->outbox_sent, 3, id);
	return store_outbox_update(s, s->outbox_sent, cause);
}

int
store_outbox_attempt(struct store *s, int64_t id, const char *error,
    char **cause)
{
	if (cause != NULL)
		cause_clear(cause);
	store_bind_text(s->outbox_attempt, 1, error);
	sqlite3_bind_int64(s->outbox_attempt, 2, id);
	return store_outbox_update(s, s->outbox_attempt, cause);
}

int
store_outbox_failed(struct store *s, int64_t id, const char *error,
    char **cause)
{
	if (cause != NULL)
		cause_clear(cause);
	store_bind_text(s->outbox_failed, 1, error);
	sqlite3_bind_int64(s->outbox_failed, 2, id);
	return store_outbox_update(s, s->outbox_failed, cause);
}

/* ---------------------------------------------------- for store_*.c */

sqlite3_stmt *
store_stmt(struct store *s, enum store_cached which, const char *sql,
    char **cause)
{
	sqlite3_stmt	*st = s->cached[which];

	if (st == NULL) {
		if (store_prepare(s, sql, &s->cached[which], cause) != 0)
			return NULL;
		st = s->cached[which];
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int
store_err(struct store *s, char **cause, const char *what)
{
	return store_fail(s, cause, what);
}

/*
 * BEGIN and COMMIT as prepared statements: through sqlite3_exec each was
 * parsed again, twice a command. The cause reads as store_exec's.
 */
static int
store_step_cached(struct store *s, enum store_cached which, const char *sql,
    char **cause)
{
	sqlite3_stmt	*st = store_stmt(s, which, sql, cause);
	int		 rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_cause(cause, "%s: %s", s->path, sqlite3_errmsg(s->db));
	/* Reset now: a finished statement holds nothing for the next one. */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_begin(struct store *s, char **cause)
{
	return store_step_cached(s, STORE_C_BEGIN, "BEGIN IMMEDIATE", cause);
}

int
store_commit(struct store *s, char **cause)
{
	if (store_step_cached(s, STORE_C_COMMIT, "COMMIT", cause) != 0) {
		store_rollback(s);
		return -1;
	}
	if (s->txn_end != NULL)
		s->txn_end(s->txn_end_arg, 1);
	return 0;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	/* Also when sqlite rolled back by itself (SQLITE_FULL, IOERR). */
	if (s->txn_end != NULL)
		s->txn_end(s->txn_end_arg, 0);
}

uint64_t
store_commits(const struct store *s)
{
	return s->commits;
}

int
store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

void
store_on_transaction_end(struct store *s, void (*fn)(void *, int),
    void *arg)
{
	s->txn_end = fn;
	s->txn_end_arg = arg;
}

char *
store_outbox_platform_id(struct store *s, int64_t id)
{
	sqlite3_stmt	*st;
	char		*cause = NULL, *out = NULL;
	const unsigned char *v;

	st = store_stmt(s, STORE_C_OUTBOX_PLATFORM_ID, "SELECT platform_id "
	    "FROM outbox WHERE id = ?", &cause);
	if (st == NULL) {
		free(cause);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (v = sqlite3_column_text(st, 0)) != NULL)
		out = xstrdup((const char *)v);
	sqlite3_reset(st);
	return out;
}

int64_t
store_last_insert_id(struct store *s)
{
	return sqlite3_last_insert_rowid(s->db);
}

int
store_changes(struct store *s)
{
	return sqlite3_changes(s->db);
}

int
store_next_row(struct store *s, sqlite3_stmt *st, const char *what,
    char **cause)
{
	int	 rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	/* The message first: it is the connection's, and reset may clear it. */
	if (rc != SQLITE_DONE)
		store_fail(s, cause, what);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

const char *
store_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
store_step_done(struct store *s, sqlite3_stmt *st, char **cause,
    const char *what)
{
	int	 rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(s, cause, what);
	return 0;
}
