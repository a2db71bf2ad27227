/*
 * Custom commands (custom_commands): the loader's checks with their
 * messages, the binding of typed words to parameters, the template's
 * expansion with /logs' hostile set through a real /bin/sh (each value
 * arrives as one literal argument), and the table entries they become.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "custom.h"
#include "probes.h"
#include "proc.h"
#include "test.h"
#include "xmalloc.h"

#define HOSTS								\
"\"hosts\": [{\"name\": \"app1\", \"transport\": \"local\","		\
"  \"tags\": [\"app\"], \"jobs\": {\"names\": [\"FEED_*\"]}},"		\
" {\"name\": \"app2\", \"transport\": \"local\", \"tags\": [\"app\"]},"	\
" {\"name\": \"db1\", \"transport\": \"local\"}]"

static const char good[] = "{" HOSTS ","
"\"roles\": {\"archivers\": {\"commands\": [\"archive-logs\"]}},"
"\"commands\": {\"archive-logs\": {\"channels\": [\"console\"]}},"
"\"custom_commands\": ["
" {\"name\": \"archive-logs\", \"help\": \"Archives old logs.\","
"  \"hosts\": [\"app\"], \"confirm\": true, \"timeout\": \"2m\","
"  \"run\": \"archive --days {days} --dir /var/log/app -- {host}\","
"  \"params\": [{\"name\": \"host\", \"type\": \"host\"},"
"   {\"name\": \"days\", \"type\": \"int\", \"min\": 1, \"max\": 90,"
"    \"default\": \"30\"}]},"
" {\"name\": \"say\", \"help\": \"Says it.\", \"hosts\": [\"db1\"],"
"  \"role\": \"viewer\", \"run\": \"printf '[%s]' {level} {for} {queue} {msg} {{x}}\","
"  \"params\": [{\"name\": \"level\", \"type\": \"choice\","
"   \"choices\": [\"info\", \"warn\"]},"
"   {\"name\": \"for\", \"type\": \"duration\"},"
"   {\"name\": \"queue\", \"type\": \"word\", \"pattern\": \"[a-z]+\"},"
"   {\"name\": \"msg\", \"type\": \"text\"}]},"
" {\"name\": \"feed\", \"help\": \"A job.\", \"hosts\": [\"app1\"],"
"  \"run\": \"echo {job}\","
"  \"params\": [{\"name\": \"job\", \"type\": \"job\"}]}"
"]}";

static struct config *
load_ok(const char *text)
{
	struct config	*c = NULL;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) != 0)
		TEST_FAIL("config refused:\n%s", errors.data);
	buf_release(&errors);
	return c;
}

/* The errors of a config the loader must refuse (caller frees). */
static char *
load_bad(const char *custom)
{
	struct config	*c = NULL;
	struct buf	 errors;
	char		*text;

	xasprintf(&text, "{" HOSTS ", \"custom_commands\": [%s]}", custom);
	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) == 0)
		TEST_FAIL("config accepted: %s", custom);
	free(text);
	return buf_detach(&errors);
}

#define ASSERT_REFUSED(custom, msg) do {				\
	char *_e = load_bad(custom);					\
	ASSERT_CONTAINS(_e, msg);					\
	free(_e);							\
} while (0)

#define CMD(params, run)						\
	"{\"name\": \"x\", \"help\": \"h\", \"hosts\": [\"all\"],"	\
	" \"params\": [" params "], \"run\": \"" run "\"}"

TEST(loader_refuses_bad_commands_with_clear_messages)
{
	ASSERT_REFUSED(CMD("{\"name\": \"n\", \"type\": \"integer\"}", "x {n}"),
	    "custom_commands[0].params[0].type: expected \"host\", \"choice\", "
	    "\"int\", \"duration\", \"job\", \"word\" or \"text\", got "
	    "\"integer\"");
	ASSERT_REFUSED(CMD("{\"name\": \"days\", \"type\": \"int\"}",
	    "x {dayz}"), "custom_commands[0].run: {dayz} is not a declared "
	    "parameter (declared: days); did you mean {days}?");
	ASSERT_REFUSED(CMD("{\"name\": \"q\", \"pattern\": \"[a-z\"}", "x {q}"),
	    "pattern \"[a-z\" does not compile");
	ASSERT_REFUSED(CMD("{\"name\": \"n\", \"type\": \"int\", \"min\": 90,"
	    " \"max\": 1}", "x {n}"), "min (90) is above max (1)");
	ASSERT_REFUSED(CMD("{\"name\": \"t\", \"type\": \"text\"}",
	    "grep '{t}' f"), "{t} is inside single quotes; leave it bare");
	ASSERT_REFUSED(CMD("{\"name\": \"t\", \"type\": \"text\"}",
	    "echo \\\"{t}\\\""), "{t} is inside double quotes");
	/* In an unquoted here-document, '...' is literal and $(...) runs. */
	ASSERT_REFUSED(CMD("{\"name\": \"t\", \"type\": \"text\"}",
	    "cat <<EOF\\n{t}\\nEOF"), "a here-document (<<) would run");
	ASSERT_REFUSED(CMD("{\"name\": \"t\", \"type\": \"text\"}",
	    "awk '{print}' {t}"), "{print} is not a declared parameter");
	ASSERT_REFUSED(CMD("{\"name\": \"t\", \"type\": \"text\"},"
	    " {\"name\": \"n\", \"type\": \"int\"}", "x {t} {n}"),
	    "a \"text\" parameter takes the rest of the line, so it comes "
	    "last");
	ASSERT_REFUSED(CMD("{\"name\": \"n\", \"type\": \"int\"}", "x"),
	    "parameter n is declared but run never uses {n}");
	ASSERT_REFUSED(CMD("{\"name\": \"n\", \"type\": \"int\", \"max\": 9,"
	    " \"default\": \"10\"}", "x {n}"), "custom_commands[0].params[0]."
	    "default: n must be an integer from 0 to 9, got '10'");
	ASSERT_REFUSED(CMD("{\"name\": \"c\", \"type\": \"choice\"}", "x {c}"),
	    "a \"choice\" parameter needs choices");
	ASSERT_REFUSED(CMD("{\"name\": \"w\", \"type\": \"word\"}", "x {w}"),
	    "a \"word\" parameter needs a pattern");
	ASSERT_REFUSED(CMD("{\"name\": \"n\", \"type\": \"text\", \"min\": 1}",
	    "x {n}"), "min and max are for an \"int\" parameter, not "
	    "\"text\"");
	ASSERT_REFUSED(CMD("{\"name\": \"a\", \"type\": \"int\", \"default\":"
	    " \"1\"}, {\"name\": \"b\", \"type\": \"int\"}", "x {a} {b}"),
	    "b has no default but follows a parameter that has one");
	ASSERT_REFUSED(CMD("", "x {"), "write {{ for a literal {");
	ASSERT_REFUSED(CMD("", "echo 'unclosed"), "a single quote is never "
	    "closed");
	ASSERT_REFUSED("{\"name\": \"restart\", \"help\": \"h\", \"hosts\":"
	    " [\"all\"], \"run\": \"x\"}", "\"restart\" is the built-in "
	    "command /restart; pick another name");
	ASSERT_REFUSED("{\"name\": \"x\", \"help\": \"h\", \"hosts\":"
	    " [\"ap\"], \"run\": \"x\"}", "custom_commands[0].hosts[0]: "
	    "unknown host or tag \"ap\"; did you mean \"app\"?");
	ASSERT_REFUSED("{\"name\": \"x\", \"help\": \"h\", \"run\": \"x\"}",
	    "needs hosts");
	ASSERT_REFUSED("{\"name\": \"x\", \"help\": \"h\", \"hosts\": "
	    "[\"all\"], \"run\": \"x\"}, {\"name\": \"x\", \"help\": \"h\","
	    " \"hosts\": [\"all\"], \"run\": \"y\"}", "command \"x\" is "
	    "already defined at custom_commands[0]");
	/* A route's remediate names a command, custom ones included. */
	ASSERT_REFUSED("{\"name\": \"fix-it\", \"help\": \"h\", \"hosts\":"
	    " [\"all\"], \"run\": \"x\"}], \"alerts\": {\"route\":"
	    " {\"remediate\": \"/fix-itt {host}\"}} , \"x\": [",
	    "alerts.route.remediate: unknown command \"/fix-itt\"; did you "
	    "mean \"/fix-it\"?");
	ASSERT_REFUSED("{\"name\": \"fix-it\", \"help\": \"h\", \"hosts\":"
	    " [\"all\"], \"run\": \"x\"}], \"alerts\": {\"route\":"
	    " {\"remediate\": \"/fix-it {host\"}} , \"x\": [",
	    "alerts.route.remediate: a \"{\" starts a label like {host}");
}

/* Binds line's words to cmd's parameters: 0 and *v, or -1 and *why. */
static int
bind(const struct config *c, const char *cmd, const char *const *w,
    int n, char ***v, char **why)
{
	return config_custom_bind(c, config_find_custom(c, cmd), w, n, v,
	    why);
}

#define ASSERT_BIND_FAILS(c, cmd, w, msg) do {				\
	char **_v = NULL, *_why = NULL;					\
	ASSERT_INT_EQ(bind(c, cmd, w, (int)(sizeof w / sizeof *w), &_v,	\
	    &_why), -1);						\
	ASSERT_CONTAINS(_why, msg);					\
	free(_why);							\
} while (0)

TEST(words_bind_to_typed_parameters)
{
	struct config		*c = load_ok(good);
	const struct cfg_custom	*arch = config_find_custom(c, "archive-logs");
	const char		*w1[] = { "app1", "7" }, *w2[] = { "app2" };
	const char		*w3[] = { "warn", "1h30m", "orders", "disk",
	    "is", "full" };
	const char		*bad_int[] = { "app1", "9;rm" };
	const char		*big_int[] = { "app1", "91" };
	const char		*db[] = { "db1" }, *nohost[] = { "ap1" };
	const char		*bad_choice[] = { "wran", "1h", "q", "m" };
	const char		*bad_dur[] = { "info", "soon", "q", "m" };
	const char		*bad_word[] = { "info", "1h", "q;rm", "m" };
	const char		*job_ok[] = { "FEED_A" }, *job_no[] = { "EOD" };
	const char		*job_glob[] = { "FEED_*" };
	char			**v, *why = NULL;

	ASSERT_NOT_NULL(arch);
	ASSERT_INT_EQ(bind(c, "archive-logs", w1, 2, &v, &why), 0);
	ASSERT_STR_EQ(v[0], "app1");
	ASSERT_STR_EQ(v[1], "7");
	config_custom_values_free(arch, v);
	/* The default fills what was left out. */
	ASSERT_INT_EQ(bind(c, "archive-logs", w2, 1, &v, &why), 0);
	ASSERT_STR_EQ(v[1], "30");
	config_custom_values_free(arch, v);
	ASSERT_INT_EQ(bind(c, "say", w3, 6, &v, &why), 0);
	ASSERT_STR_EQ(v[0], "warn");
	ASSERT_STR_EQ(v[1], "5400");		/* seconds */
	ASSERT_STR_EQ(v[2], "orders");
	ASSERT_STR_EQ(v[3], "disk is full");	/* the rest, one value */
	config_custom_values_free(config_find_custom(c, "say"), v);

	ASSERT_BIND_FAILS(c, "archive-logs", bad_int,
	    "days must be an integer from 1 to 90, got '9;rm'");
	ASSERT_BIND_FAILS(c, "archive-logs", big_int,
	    "days must be an integer from 1 to 90, got '91'");
	ASSERT_BIND_FAILS(c, "archive-logs", db,
	    "/archive-logs may not run on db1; it may run on: app1, app2");
	ASSERT_BIND_FAILS(c, "archive-logs", nohost,
	    "host must be a host of the inventory, got 'ap1' (did you mean "
	    "app1?)");
	ASSERT_BIND_FAILS(c, "say", bad_choice,
	    "level must be one of info or warn, got 'wran' (did you mean "
	    "warn?)");
	ASSERT_BIND_FAILS(c, "say", bad_dur,
	    "for must be a duration like 30m, 2h or 7d, got 'soon'");
	/* Anchored: "q" matches [a-z]+, "q;rm" does not. */
	ASSERT_BIND_FAILS(c, "say", bad_word, "queue must match [a-z]+, got "
	    "'q;rm'");
	ASSERT_INT_EQ(bind(c, "feed", job_ok, 1, &v, &why), 0);
	config_custom_values_free(config_find_custom(c, "feed"), v);
	ASSERT_BIND_FAILS(c, "feed", job_no, "job EOD is not in the inventory "
	    "of app1");
	ASSERT_BIND_FAILS(c, "feed", job_glob, "job must be one job's name");
	/* The cause may be NULL. */
	ASSERT_INT_EQ(bind(c, "archive-logs", bad_int, 2, &v, NULL), -1);
	config_free(c);
}

static char **
argv3(const char *a, const char *b, const char *c)
{
	char	**v = xcalloc(4, sizeof *v);

	v[0] = xstrdup(a);
	v[1] = xstrdup(b);
	v[2] = xstrdup(c);
	return v;
}

/* What /bin/sh prints running cmd's line made of value. */
static char *
run_line(const struct cfg_custom *cc, const char *value)
{
	struct proc	 p;
	struct buf	 line;
	char		*vals[1], *out;

	vals[0] = (char *)(uintptr_t)value;
	buf_init(&line);
	probe_custom_line(cc, vals, &line);
	proc_init(&p, argv3("/bin/sh", "-c", line.data), 5000, 1 << 20);
	proc_run_many(&p, 1, 1);
	ASSERT_INT_EQ(p.exit_code, 0);
	out = xstrdup(p.out.data);
	proc_release(&p);
	buf_release(&line);
	return out;
}

TEST(hostile_values_arrive_as_one_literal_argument)
{
	/* /logs' hostile set (test-escape.c), through a template. */
	static const char *const hostile[] = {
		"plain", "it's", "'", "''", "\"double\"",
		"$(touch /tmp/opsbot-never)", "`touch /tmp/opsbot-never`",
		"a;b", "a && b", "a|b", "line1\nline2", "*", "/etc/*", "?",
		"[a-z]", "~root", "$HOME", "${PATH}", "\\", "\\'", "-n", "--",
		"a\tb", "\xff\xfe invalid utf-8 \xc3",
		"\xe2\x80\x9cquotes\xe2\x80\x9d", "!", "!!", "#comment",
		"a > /tmp/opsbot-never", "%s%n", "{msg}", "}{", "", NULL
	};
	static const char cfg[] = "{" HOSTS ", \"custom_commands\": ["
	    "{\"name\": \"echo\", \"help\": \"h\", \"hosts\": [\"all\"],"
	    " \"run\": \"printf '<%s>' {t} # {{not a param}}\","
	    " \"params\": [{\"name\": \"t\", \"type\": \"text\"}]}]}";
	struct config		*c = load_ok(cfg);
	const struct cfg_custom	*cc = config_find_custom(c, "echo");
	char			*got, *want, **v, *why = NULL;
	const char		*w[1];
	size_t			 i;

	for (i = 0; hostile[i] != NULL; i++) {
		/* printf repeats its format per argument: one <...>. */
		got = run_line(cc, hostile[i]);
		xasprintf(&want, "<%s>", hostile[i]);
		ASSERT_STR_EQ(got, want);
		free(want);
		free(got);
		/* Binding passes any non-empty text through unchanged. */
		w[0] = hostile[i];
		if (*hostile[i] == '\0') {
			ASSERT_INT_EQ(config_custom_bind(c, cc, w, 1, &v, &why),
			    -1);
			ASSERT_CONTAINS(why, "t must not be empty");
			free(why);
			continue;
		}
		ASSERT_INT_EQ(config_custom_bind(c, cc, w, 1, &v, &why), 0);
		ASSERT_STR_EQ(v[0], hostile[i]);
		config_custom_values_free(cc, v);
	}
	ASSERT(access("/tmp/opsbot-never", F_OK) != 0);
	config_free(c);
}

TEST(custom_commands_become_table_entries)
{
	struct config		*c = load_ok(good);
	const struct cmd_entry	**t = custom_table(c);
	const struct cmd_entry	*e;

	ASSERT_NOT_NULL(cmd_find(t, "help"));
	e = cmd_find(t, "archive-logs");
	ASSERT_NOT_NULL(e);
	ASSERT_STR_EQ(e->synopsis, "HOST [DAYS] --confirm");
	ASSERT_CONTAINS(e->help, "Archives old logs. Parameters: host: a "
	    "host among app; days: an integer from 1 to 90, default 30.");
	ASSERT_INT_EQ(e->min_role, ROLE_OPERATOR);
	ASSERT_INT_EQ(e->flags, CMD_TOUCHES_HOSTS | CMD_NEEDS_CONFIRM);
	ASSERT_INT_EQ(e->args.min, 1);
	ASSERT_INT_EQ(e->args.max, 2);
	e = cmd_find(t, "say");
	ASSERT_STR_EQ(e->synopsis, "LEVEL FOR QUEUE MSG...");
	ASSERT_INT_EQ(e->min_role, ROLE_VIEWER);
	ASSERT_INT_EQ(e->args.max, -1);
	ASSERT_NULL(e->args.options);
	custom_table_free(t);
	config_free(c);
}

static const struct test tests[] = {
	TEST_ENTRY(loader_refuses_bad_commands_with_clear_messages),
	TEST_ENTRY(words_bind_to_typed_parameters),
	TEST_ENTRY(hostile_values_arrive_as_one_literal_argument),
	TEST_ENTRY(custom_commands_become_table_entries),
	TEST_END
};

int
main(int argc, char **argv)
{
	/* The built-in names, for the clash and role checks. */
	cmd_config_commands(cmd_table);
	return test_run(tests, argc, argv);
}
