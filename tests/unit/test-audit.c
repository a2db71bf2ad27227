/* Reading the audit trail back (/audit): each filter, paging, order. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"
#include "store_audit.h"
#include "test.h"

static struct store *
open_store(const char *name)
{
	char		 path[512];
	struct store	*s;
	char		*cause = NULL;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	s = store_open(path, &cause);
	if (s == NULL)
		TEST_FAIL("open: %s", cause);
	return s;
}

static void
add(struct store *s, int64_t ts, const char *uid, const char *name,
    const char *cmd, const char *outcome)
{
	struct audit_entry	 e = {
		.ts_ms = ts, .platform = "slack", .user_id = uid,
		.user_name = name, .channel = "C1", .command = cmd,
		.outcome = outcome, .detail = NULL, .duration_ms = 5,
	};

	if (store_audit_append(s, &e, NULL) != 0)
		TEST_FAIL("append %s", cmd);
}

static void
collect(void *arg, const struct store_audit_row *r)
{
	struct buf	*b = arg;

	buf_addf(b, "%s%s", b->len > 0 ? ";" : "", r->command);
}

static void
collect_none(void *arg, const struct store_audit_row *r)
{
	(void)arg;
	(void)r;
}

/* The command lines f finds, newest first, joined by ';' (caller frees). */
static char *
find(struct store *s, const struct store_audit_filter *f, int64_t *total)
{
	struct buf	 b;
	char		*cause = NULL;

	buf_init(&b);
	if (store_audit_find(s, f, collect, &b, total, NULL, &cause) != 0)
		TEST_FAIL("find: %s", cause);
	return buf_detach(&b);
}

#define ASSERT_FIND(s, f, want, ntotal) do {				\
	int64_t _t = -1;						\
	char *_v = find(s, f, &_t);					\
	ASSERT_STR_EQ(_v, want);					\
	ASSERT_INT_EQ(_t, ntotal);					\
	free(_v);							\
} while (0)

static void
seed(struct store *s)
{
	add(s, 1000, "U1", "alice", "/health web1", "ok");
	add(s, 2000, "U2", "Bob", "/disk db1", "error");
	add(s, 3000, "U1", "alice", "restart web10 nginx --confirm", "ok");
	add(s, 4000, "U2", "Bob", "/df prod", "ok");
	add(s, 5000, "U3", NULL, "/silence host=web1 1h", "denied");
	add(s, 6000, "U1", "alice", "/logs web_1 app", "ok");
	add(s, 7000, "U1", "alice", "/health all", "ok");
}

TEST(audit_filters)
{
	struct store			*s = open_store("filters.db");
	struct store_audit_filter	 f;

	seed(s);
	memset(&f, 0, sizeof f);
	ASSERT_FIND(s, &f, "/health all;/logs web_1 app;/silence host=web1 "
	    "1h;/df prod;restart web10 nginx --confirm;/disk db1;"
	    "/health web1", 7);

	/* A user by id, or by display name in any case. */
	f.user = "U2";
	ASSERT_FIND(s, &f, "/df prod;/disk db1", 2);
	f.user = "bob";
	ASSERT_FIND(s, &f, "/df prod;/disk db1", 2);
	f.user = "carol";
	ASSERT_FIND(s, &f, "", 0);

	/* A command by name or alias, typed with or without '/'. */
	memset(&f, 0, sizeof f);
	f.names[0] = "disk";
	f.names[1] = "df";
	ASSERT_FIND(s, &f, "/df prod;/disk db1", 2);
	f.names[0] = "restart";
	f.names[1] = NULL;
	ASSERT_FIND(s, &f, "restart web10 nginx --confirm", 1);
	f.names[0] = "health";
	f.user = "alice";
	ASSERT_FIND(s, &f, "/health all;/health web1", 2);

	/*
	 * A host: a whole word of the line (not web10), also after '=',
	 * or one of its tags; '_' is not a LIKE wildcard.
	 */
	memset(&f, 0, sizeof f);
	f.words[0] = "web1";
	ASSERT_FIND(s, &f, "/silence host=web1 1h;/health web1", 2);
	f.words[1] = "prod";
	f.words[2] = "all";
	ASSERT_FIND(s, &f, "/health all;/silence host=web1 1h;/df prod;"
	    "/health web1", 4);
	memset(&f, 0, sizeof f);
	f.words[0] = "web_1";
	ASSERT_FIND(s, &f, "/logs web_1 app", 1);
	f.words[0] = "webx1";
	ASSERT_FIND(s, &f, "", 0);

	/* Since: rows at or after the time. */
	memset(&f, 0, sizeof f);
	f.since_ms = 6000;
	ASSERT_FIND(s, &f, "/health all;/logs web_1 app", 2);
	store_close(s);
}

TEST(audit_pages)
{
	struct store			*s = open_store("pages.db");
	struct store_audit_filter	 f;
	char				 cmd[32];
	int				 i;

	for (i = 1; i <= 45; i++) {
		snprintf(cmd, sizeof cmd, "/health web%d", i);
		add(s, 1000 + i, "U1", "alice", cmd, "ok");
	}
	/* Same time: the later row is the newer. */
	add(s, 1045, "U1", "alice", "/status", "ok");
	memset(&f, 0, sizeof f);
	f.limit = 2;
	ASSERT_FIND(s, &f, "/status;/health web45", 46);
	f.offset = 2;
	ASSERT_FIND(s, &f, "/health web44;/health web43", 46);
	f.offset = 45;
	ASSERT_FIND(s, &f, "/health web1", 46);
	f.offset = 46;
	ASSERT_FIND(s, &f, "", 46);

	/*
	 * The newest id anchors the next pages: rows added meanwhile (the
	 * asker's own /audit among them) do not shift them.
	 */
	{
		int64_t	 last = -1, t = -1;

		memset(&f, 0, sizeof f);
		f.limit = 2;
		ASSERT_INT_EQ(store_audit_find(s, &f, collect_none, NULL, &t,
		    &last, NULL), 0);
		ASSERT_INT_EQ(t, 46);
		ASSERT_INT_EQ(last, 46);
		add(s, 2000, "U1", "alice", "/audit", "ok");
		f.upto_id = last;
		f.offset = 2;
		ASSERT_FIND(s, &f, "/health web44;/health web43", 46);
		f.upto_id = 0;
		ASSERT_FIND(s, &f, "/health web45;/health web44", 47);
		f.words[0] = "nohost";
		ASSERT_INT_EQ(store_audit_find(s, &f, collect_none, NULL, &t,
		    &last, NULL), 0);
		ASSERT_INT_EQ(t, 0);
		ASSERT_INT_EQ(last, 0);
	}

	/* The default page is 20 rows. */
	memset(&f, 0, sizeof f);
	{
		char	*v = find(s, &f, NULL);
		int	 n = 1;

		for (char *p = v; *p != '\0'; p++)
			n += *p == ';';
		ASSERT_INT_EQ(n, 20);
		free(v);
	}
	store_close(s);
}

static const struct test tests[] = {
	TEST_ENTRY(audit_filters),
	TEST_ENTRY(audit_pages),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}
