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
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "xmalloc.h"

#define STORE_BUSY_TIMEOUT_MS	5000

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*audit_insert;
	sqlite3_stmt	*audit_count;
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
};

static int
store_fail(struct store *s, char **cause, const char *what)
{
	xasprintf(cause, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return -1;
}

static int
store_exec(struct store *s, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", s->path, err != NULL ? err :
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
		xasprintf(cause, "%s: schema version %d is newer than this "
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

struct store *
store_open(const char *path, char **cause)
{
	struct store	*s;
	sqlite3_stmt	*st;
	int		 fd, ok;

	*cause = NULL;
	/* Create it owner-only before sqlite does, with its umask. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	close(fd);

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		store_fail(s, cause, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
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
	if (store_exec(s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
	    cause) != 0 || store_migrate(s, cause) != 0)
		goto fail;

	if (store_prepare(s, "INSERT INTO audit (ts, platform, user, "
	    "user_name, channel, command, outcome, detail, duration_ms) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s->audit_insert,
	    cause) != 0 ||
	    store_prepare(s, "SELECT count(*) FROM audit", &s->audit_count,
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
	sqlite3_finalize(s->audit_insert);
	sqlite3_finalize(s->audit_count);
	/* Checkpoints the WAL back into the file on the last close. */
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

int
store_audit_append(struct store *s, const struct audit_entry *e,
    char **cause)
{
	sqlite3_stmt	*st = s->audit_insert;
	int		 rc;

	*cause = NULL;
	sqlite3_bind_int64(st, 1, e->ts_ms);
	store_bind_text(st, 2, e->platform);
	store_bind_text(st, 3, e->user_id);
	store_bind_text(st, 4, e->user_name);
	store_bind_text(st, 5, e->channel);
	store_bind_text(st, 6, e->command);
	store_bind_text(st, 7, e->outcome);
	store_bind_text(st, 8, e->detail);
	sqlite3_bind_int64(st, 9, e->duration_ms);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, cause, "cannot append audit row");
	return 0;
}

int64_t
store_audit_count(struct store *s)
{
	int64_t	 n = -1;

	if (sqlite3_step(s->audit_count) == SQLITE_ROW)
		n = sqlite3_column_int64(s->audit_count, 0);
	sqlite3_reset(s->audit_count);
	return n;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

int64_t
store_size_bytes(const struct store *s)
{
	struct stat	 st;
	int64_t		 total = 0;
	char		*wal;

	if (stat(s->path, &st) == 0)
		total += st.st_size;
	xasprintf(&wal, "%s-wal", s->path);
	if (stat(wal, &st) == 0)
		total += st.st_size;
	free(wal);
	return total;
}

const char *
store_library_version(void)
{
	return sqlite3_libversion();
}
