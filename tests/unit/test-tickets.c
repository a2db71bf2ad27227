/*
 * The tickets table (one row per correlation id, found by any of its
 * keys, updated by what ServiceNow said) and ServiceNow's small helpers:
 * state names and the record link.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store.h"
#include "store_tickets.h"
#include "test.h"
#include "ticket.h"
#include "xmalloc.h"

static struct store *
open_store(const char *name)
{
	char		 path[1024];
	struct store	*s;
	char		*cause = NULL;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	if ((s = store_open(path, &cause)) == NULL)
		TEST_FAIL("store_open: %s", cause);
	return s;
}

/* "number state sys_id url last_error" of the row, "-" for NULL. */
static void
row_cb(void *arg, const struct store_ticket *t)
{
	struct buf	*b = arg;

#define S(x)	((x) != NULL ? (x) : "-")
	buf_addf(b, "%s %s %s %s %s %s|", S(t->correlation_id), S(t->number),
	    S(t->state), S(t->sys_id), S(t->url), S(t->last_error));
#undef S
}

static char *
get(struct store *s, const char *key)
{
	static char	 out[1024];
	struct buf	 b;

	buf_init(&b);
	ASSERT(store_ticket_get(s, key, row_cb, &b, NULL) >= 0);
	snprintf(out, sizeof out, "%s", b.data);
	buf_release(&b);
	return out;
}

TEST(one_row_per_correlation_id)
{
	struct store		*s = open_store("one.db");
	struct store_ticket	 t = { 0 };

	t.correlation_id = "alert:0011223344556677";
	t.source = "alert";
	t.short_description = "[FIRING:1] DiskFull";
	t.created_by = "opsbot";
	ASSERT_INT_EQ(store_ticket_add(s, &t, NULL), 1);
	/* A re-fired group, a second click: the same row, not a second. */
	t.short_description = "something else";
	ASSERT_INT_EQ(store_ticket_add(s, &t, NULL), 0);
	ASSERT_STR_EQ(get(s, "alert:0011223344556677"),
	    "alert:0011223344556677 - pending - - -|");
	ASSERT_STR_EQ(get(s, "INC0010001"), "");
	store_close(s);
}

TEST(found_by_number_sys_id_or_id_after_an_answer)
{
	struct store		*s = open_store("keys.db");
	struct store_ticket	 t = { 0 };
	const char		*sys = "5a5e0001deadbeef5a5e0001deadbeef";
	char			*by_id;

	t.correlation_id = "chat:slack:1:U1";
	t.source = "chat";
	t.short_description = "disk full";
	t.created_by = "olga";
	ASSERT_INT_EQ(store_ticket_add(s, &t, NULL), 1);
	ASSERT_INT_EQ(store_ticket_set(s, "chat:slack:1:U1", NULL, NULL, NULL,
	    NULL, "ServiceNow answered HTTP 503", NULL), 0);
	ASSERT_CONTAINS(get(s, "1"), "chat:slack:1:U1 - pending - - ServiceNow "
	    "answered");
	ASSERT_INT_EQ(store_ticket_set(s, "chat:slack:1:U1", "1", sys,
	    "INC0010001", "https://sn/incident.do?sys_id=x", NULL, NULL), 0);
	ASSERT_STR_EQ(get(s, "inc0010001"), "chat:slack:1:U1 INC0010001 1 "
	    "5a5e0001deadbeef5a5e0001deadbeef https://sn/incident.do?sys_id=x "
	    "-|");
	by_id = xstrdup(get(s, "1"));
	ASSERT_STR_EQ(get(s, sys), by_id);
	free(by_id);
	/* NULLs keep what is there; the error is cleared. */
	ASSERT_INT_EQ(store_ticket_set(s, "chat:slack:1:U1", "6", NULL, NULL,
	    NULL, NULL, NULL), 0);
	ASSERT_CONTAINS(get(s, "INC0010001"), "INC0010001 6 5a5e0001");
	store_close(s);
}

TEST(recent_newest_first)
{
	struct store		*s = open_store("recent.db");
	struct store_ticket	 t = { 0 };
	struct buf		 b;
	char			 id[32];
	int			 i;

	t.source = "chat";
	t.short_description = "x";
	t.created_by = "olga";
	for (i = 1; i <= 12; i++) {
		snprintf(id, sizeof id, "chat:console:%d:o", i);
		t.correlation_id = id;
		ASSERT_INT_EQ(store_ticket_add(s, &t, NULL), 1);
	}
	buf_init(&b);
	ASSERT_INT_EQ(store_ticket_recent(s, 10, row_cb, &b, NULL), 10);
	ASSERT(strncmp(b.data, "chat:console:12:o ", 18) == 0);
	ASSERT_CONTAINS(b.data, "chat:console:3:o ");
	ASSERT(strstr(b.data, "chat:console:2:o ") == NULL);
	buf_release(&b);
	store_close(s);
}

TEST(state_names_and_link)
{
	char	*u = snow_url("https://acme.service-now.com", "abc123");

	ASSERT_STR_EQ(u, "https://acme.service-now.com/incident.do?"
	    "sys_id=abc123");
	free(u);
	ASSERT_STR_EQ(snow_state_name("1"), "New");
	ASSERT_STR_EQ(snow_state_name("2"), "In Progress");
	ASSERT_STR_EQ(snow_state_name("6"), "Resolved");
	ASSERT_STR_EQ(snow_state_name("8"), "Canceled");
	ASSERT_STR_EQ(snow_state_name("4"), "4");
	ASSERT_STR_EQ(snow_state_name("61"), "61");
	ASSERT_STR_EQ(snow_state_name("pending"), "pending");
	ASSERT_STR_EQ(snow_state_name(NULL), "unknown");
}

static const struct test tests[] = {
	TEST_ENTRY(one_row_per_correlation_id),
	TEST_ENTRY(found_by_number_sys_id_or_id_after_an_answer),
	TEST_ENTRY(recent_newest_first),
	TEST_ENTRY(state_names_and_link),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}
