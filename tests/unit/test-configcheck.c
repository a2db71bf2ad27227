/*
 * --check-config beyond the schema (config/config_check.c): a missing or
 * unreadable remote.ssh_config, schedules that run a command or a
 * checklist that does not exist, "did you mean" for a checklist's kind,
 * and the summary line.
 */

#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "config_check.h"
#include "test.h"

static char *fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string; caller frees. */
static char *
fmt(const char *f, ...)
{
	struct buf	 b;
	va_list		 ap;

	buf_init(&b);
	va_start(ap, f);
	buf_vaddf(&b, f, ap);
	va_end(ap);
	return buf_detach(&b);
}

/* Loads text that must load; the caller frees. */
static struct config *
load_ok(const char *text)
{
	struct config	*c = NULL;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) != 0)
		TEST_FAIL("refused:\n%s", errors.data);
	buf_release(&errors);
	return c;
}

/* config_check_more's lines for text ("" when none); caller frees. */
static char *
more(const char *text, int *n)
{
	struct config	*c = load_ok(text);
	struct buf	 errors;

	buf_init(&errors);
	*n = config_check_more(c, &errors);
	config_free(c);
	return buf_detach(&errors);
}

TEST(ssh_config_must_be_readable)
{
	char	 dir[] = "/tmp/ob-cc.XXXXXX", *path, *text, *e;
	FILE	*f;
	int	 n;

	ASSERT_NOT_NULL(mkdtemp(dir));
	path = fmt("%s/ssh_config", dir);
	text = fmt("{\"remote\": {\"ssh_config\": \"%s\"}}", path);
	e = more(text, &n);
	ASSERT_INT_EQ(n, 1);
	ASSERT_CONTAINS(e, "remote.ssh_config: cannot use \"");
	ASSERT_CONTAINS(e, "No such file or directory");
	free(e);

	ASSERT_NOT_NULL(f = fopen(path, "w"));
	fputs("Host *\n", f);
	fclose(f);
	e = more(text, &n);
	ASSERT_INT_EQ(n, 0);
	ASSERT_STR_EQ(e, "");
	free(e);
	/* Unreadable to this user (root reads anything: skip that part). */
	if (geteuid() != 0) {
		chmod(path, 0);
		e = more(text, &n);
		ASSERT_INT_EQ(n, 1);
		ASSERT_CONTAINS(e, "remote.ssh_config: cannot read");
		free(e);
	}
	unlink(path);
	free(text);

	text = fmt("{\"remote\": {\"ssh_config\": \"%s\"}}", dir);
	e = more(text, &n);
	ASSERT_INT_EQ(n, 1);
	ASSERT_CONTAINS(e, "is not a file");
	free(e);
	free(text);
	rmdir(dir);
	free(path);
}

#define SOD "\"checklists\": {\"sod\": {\"checks\": [{\"title\": \"a\", " \
	"\"kind\": \"no_open_alerts\"}]}}"

/* One schedule running run, with a sod checklist defined. */
static char *
schedule_with(const char *run, int *n)
{
	char	*text = fmt("{" SOD ", \"schedules\": [{\"name\": \"s\", "
	    "\"cron\": \"0 7 * * *\", \"run\": \"%s\", \"channel\": "
	    "\"console\"}]}", run);
	char	*e = more(text, n);

	free(text);
	return e;
}

TEST(schedule_runs_a_real_command)
{
	char	*e;
	int	 n;

	e = schedule_with("/stauts", &n);
	ASSERT_INT_EQ(n, 1);
	ASSERT_STR_EQ(e, "schedules[0].run: unknown command \"/stauts\"; did "
	    "you mean \"/status\"?\n");
	free(e);
	e = schedule_with("/checklist nope", &n);
	ASSERT_INT_EQ(n, 1);
	ASSERT_STR_EQ(e, "schedules[0].run: no checklist \"nope\" (known: "
	    "sod)\n");
	free(e);
	e = schedule_with("/eod", &n);
	ASSERT_INT_EQ(n, 1);
	ASSERT_CONTAINS(e, "no checklist \"eod\"");
	free(e);
	e = schedule_with("/checklist", &n);
	ASSERT_INT_EQ(n, 1);
	ASSERT_CONTAINS(e, "/checklist needs a checklist's name");
	free(e);
	e = schedule_with("/checklist sod", &n);
	ASSERT_INT_EQ(n, 0);
	free(e);
	e = schedule_with("/sod", &n);
	ASSERT_INT_EQ(n, 0);
	free(e);
	e = schedule_with("status", &n);
	ASSERT_INT_EQ(n, 0);
	free(e);
	e = schedule_with("df all", &n);		/* an alias */
	ASSERT_INT_EQ(n, 0);
	free(e);
}

TEST(checklist_kind_did_you_mean)
{
	const char	*text = "{\"checklists\": {\"sod\": {\"checks\": [{"
	    "\"title\": \"a\", \"kind\": \"disk_blow\"}]}}}";
	struct config	*c = NULL;
	struct buf	 errors;

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_text(text, strlen(text), "t.json", &c,
	    &errors), -1);
	ASSERT_CONTAINS(errors.data, "checklists.sod.checks[0].kind: "
	    "expected ");
	ASSERT_CONTAINS(errors.data, "got \"disk_blow\"; did you mean "
	    "\"disk_below\"?");
	buf_release(&errors);
}

TEST(summary_counts_everything)
{
	struct config	*c = load_ok("{" SOD ", \"hosts\": [{\"name\": \"a\", "
	    "\"transport\": \"local\"}], \"alerts\": {\"listen\": "
	    "\"127.0.0.2:9200\", \"route\": {\"routes\": [{\"match\": {\"a\": "
	    "\"b\"}, \"routes\": [{\"match\": {\"c\": \"d\"}}]}]}}}");
	struct buf	 b;

	buf_init(&b);
	config_summary(c, &b);
	ASSERT_STR_EQ(b.data, "1 host(s), 0 user rule(s), 0 role(s), 0 "
	    "schedule(s), 1 checklist(s), 2 alert route(s), listener "
	    "127.0.0.2:9200");
	buf_release(&b);
	config_free(c);
}

#define EXAMPLE	OPSBOT_SOURCE_DIR "/config/examples/opsbot.example.json"

/*
 * The shipped example is what new users copy: it must pass
 * --check-config whole (schema and the checks above) and show every
 * capability the bot has, none of them "in a later release".
 */
TEST(example_is_current)
{
	struct config	*c = NULL;
	struct buf	 errors, text;
	FILE		*f;
	char		 chunk[4096];
	size_t		 n, i, hcmds = 0;

	buf_init(&errors);
	if (config_load_file(EXAMPLE, &c, &errors) != 0)
		TEST_FAIL("the example does not load:\n%s", errors.data);
	ASSERT_INT_EQ(config_check_more(c, &errors), 0);
	ASSERT_STR_EQ(errors.data, "");
	ASSERT(c->nhosts > 0);					/* hosts */
	ASSERT(c->nusers > 0 && c->nroles > 0);			/* rbac */
	ASSERT_NOT_NULL(c->chat.slack_api_url);			/* chat */
	ASSERT_NOT_NULL(c->chat.mattermost_url);
	ASSERT_NOT_NULL(c->alerts.default_channel);		/* alerts */
	ASSERT(c->alerts.route.nroutes > 0);			/* routes */
	ASSERT(c->nchecklists > 0);				/* checklists */
	ASSERT(c->nschedules > 0);				/* schedules */
	ASSERT(c->ncommands > 0);
	for (i = 0; i < c->nhosts; i++)
		hcmds += c->hosts[i].ncommands;
	ASSERT(hcmds > 0);					/* host commands */
	config_free(c);
	buf_release(&errors);

	buf_init(&text);
	ASSERT_NOT_NULL(f = fopen(EXAMPLE, "r"));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&text, chunk, n);
	fclose(f);
	if (strstr(text.data, "later release") != NULL)
		TEST_FAIL("the example still says \"later release\"");
	buf_release(&text);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		TEST_ENTRY(ssh_config_must_be_readable),
		TEST_ENTRY(schedule_runs_a_real_command),
		TEST_ENTRY(checklist_kind_did_you_mean),
		TEST_ENTRY(summary_counts_everything),
		TEST_ENTRY(example_is_current),
		TEST_END,
	};

	/* As main.c does: schedules run real commands. */
	cmd_config_commands(cmd_table);
	return test_run(tests, argc, argv);
}
