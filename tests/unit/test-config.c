/*
 * The config loader: the embedded default, the complete example, a corpus
 * of bad files with their exact messages, environment references, secret
 * files, and the lookups.
 *
 * Each tests/fixtures/config/bad/NAME.json must fail to load with
 * config_load_file, and the errors must equal NAME.expect byte for byte,
 * except that "@VERSION@" in an .expect stands for OPSBOT_VERSION. Every
 * .json in tests/fixtures/config/good must load.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "log.h"
#include "test.h"

#define BAD_DIR		OPSBOT_FIXTURES "/config/bad"
#define GOOD_DIR	OPSBOT_FIXTURES "/config/good"
#define EXAMPLE		OPSBOT_SOURCE_DIR "/config/examples/opsbot.example.json"

#define BAD_MIN		20

/* Reads a whole file; NULL if it cannot be read. The caller frees. */
static char *
read_text(const char *path)
{
	struct buf	 b;
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* Replaces every "@VERSION@" in s with OPSBOT_VERSION; frees s. */
static char *
expand_version(char *s)
{
	static const char	 tag[] = "@VERSION@";
	struct buf		 b;
	const char		*p = s, *hit;

	buf_init(&b);
	while ((hit = strstr(p, tag)) != NULL) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_adds(&b, OPSBOT_VERSION);
		p = hit + sizeof tag - 1;
	}
	buf_adds(&b, p);
	free(s);
	return buf_detach(&b);
}

/* Loads text that must be valid; fails the test with the errors if not. */
static struct config *
load_ok(const char *text)
{
	struct config	*c;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "test.json", &c,
	    &errors) != 0)
		TEST_FAIL("config did not load:\n%s", errors.data);
	if (errors.len != 0)
		TEST_FAIL("config loaded with errors:\n%s", errors.data);
	buf_release(&errors);
	ASSERT_NOT_NULL(c);
	return c;
}

/* Loads text that must be refused; returns the errors (caller frees). */
static char *
load_bad(const char *text)
{
	static struct config	 dummy;
	struct config		*c = &dummy;
	struct buf		 errors;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "test.json", &c,
	    &errors) == 0)
		TEST_FAIL("config loaded but should not:\n%s", text);
	ASSERT_NULL(c);
	ASSERT(errors.len != 0);
	return buf_detach(&errors);
}

static char *fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A formatted string (config texts with paths in them); caller frees. */
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

static int
has_suffix(const char *s, const char *suffix)
{
	size_t	 n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
select_json(const struct dirent *d)
{
	return d->d_name[0] != '.' && has_suffix(d->d_name, ".json");
}

/* ----------------------------------------------------------- default */

TEST(default_loads)
{
	struct config		*c;
	struct buf		 errors;
	const struct cfg_host	*h;

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_default(&c, &errors), 0);
	ASSERT_STR_EQ(errors.data, "");
	ASSERT_STR_EQ(c->source, "(embedded default)");

	ASSERT_STR_EQ(c->bot.name, "opsbot");
	ASSERT_STR_EQ(c->bot.timezone, "UTC");
	ASSERT_STR_EQ(c->bot.data_dir, "./opsbot-data");
	ASSERT_NULL(c->bot.log_file);
	ASSERT_INT_EQ(c->bot.log_level, LOG_INFO);
	ASSERT_INT_EQ(c->bot.worker_threads, 4);
	ASSERT_INT_EQ(c->bot.shutdown_grace_s, 10);

	ASSERT_INT_EQ(c->chat.console_enabled, 1);
	ASSERT_STR_EQ(c->chat.console_prompt, "opsbot> ");
	ASSERT_NULL(c->chat.console_user);
	ASSERT_INT_EQ(c->chat.slack_enabled, 0);
	ASSERT_INT_EQ(c->chat.mattermost_enabled, 0);
	ASSERT_NULL(c->chat.slack_bot_token);
	ASSERT_NULL(c->chat.slack_app_token);
	ASSERT_NULL(c->chat.mattermost_token);

	ASSERT_STR_EQ(c->alerts.listen_address, "127.0.0.1");
	ASSERT_INT_EQ(c->alerts.listen_port, 9097);
	ASSERT_NULL(c->alerts.default_channel);

	ASSERT_INT_EQ(c->nhosts, 1);
	h = &c->hosts[0];
	ASSERT_STR_EQ(h->name, "localhost");
	ASSERT_INT_EQ(h->transport, HOST_LOCAL);
	ASSERT_INT_EQ(h->port, 0);
	ASSERT_NULL(h->user);
	ASSERT_INT_EQ(h->tags.n, 1);
	ASSERT_STR_EQ(h->tags.v[0], "local");
	ASSERT_INT_EQ(h->nmounts, 1);
	ASSERT_STR_EQ(h->mounts[0].path, "/");
	ASSERT_INT_EQ(h->mounts[0].warn_pct, 80);
	ASSERT_INT_EQ(h->mounts[0].crit_pct, 90);
	ASSERT_INT_EQ(h->nlogs, 0);

	ASSERT_INT_EQ(c->nusers, 1);
	ASSERT_STR_EQ(c->users[0].name, "console");
	ASSERT_STR_EQ(c->users[0].platform, "console");
	ASSERT_STR_EQ(c->users[0].id, "*");
	ASSERT_INT_EQ(c->users[0].roles.n, 1);
	ASSERT_STR_EQ(c->users[0].roles.v[0], "admin");

	ASSERT_INT_EQ(c->nroles, 0);
	ASSERT_INT_EQ(c->ncommands, 0);
	ASSERT_INT_EQ(c->nschedules, 0);
	config_free(c);
	buf_release(&errors);
}

/* An empty object gets every default; hosts without transport are ssh. */
TEST(empty_object_defaults)
{
	struct config	*c;

	c = load_ok("{ \"hosts\": [ { \"name\": \"web1\" } ] }");

	ASSERT_STR_EQ(c->source, "test.json");
	ASSERT_STR_EQ(c->bot.name, "opsbot");
	ASSERT_STR_EQ(c->bot.data_dir, "./opsbot-data");
	ASSERT_INT_EQ(c->chat.console_enabled, 1);
	ASSERT_STR_EQ(c->chat.slack_api_url, "https://slack.com/api/");
	ASSERT_NULL(c->chat.mattermost_url);
	ASSERT_INT_EQ(c->nusers, 0);
	ASSERT_INT_EQ(c->nhosts, 1);
	ASSERT_INT_EQ(c->hosts[0].transport, HOST_SSH);
	ASSERT_STR_EQ(c->hosts[0].address, "web1");
	ASSERT_INT_EQ(c->hosts[0].port, 0);
	ASSERT_NULL(c->hosts[0].user);
	ASSERT_NULL(c->hosts[0].identity_file);
	config_free(c);
}

/* ----------------------------------------------------------- example */

TEST(example_loads)
{
	struct config			*c;
	struct buf			 errors;
	const struct cfg_host		*h;
	const struct cfg_command	*cc;

	buf_init(&errors);
	config_load_file(EXAMPLE, &c, &errors);
	ASSERT_STR_EQ(errors.data, "");
	ASSERT_NOT_NULL(c);
	ASSERT_STR_EQ(c->source, EXAMPLE);

	ASSERT_STR_EQ(c->bot.name, "opsbot");
	ASSERT_STR_EQ(c->bot.timezone, "UTC");
	ASSERT_STR_EQ(c->bot.data_dir, "/var/lib/opsbot");
	ASSERT_STR_EQ(c->bot.log_file, "/var/lib/opsbot/opsbot.log");
	ASSERT_INT_EQ(c->bot.log_level, LOG_INFO);
	ASSERT_INT_EQ(c->bot.worker_threads, 4);
	ASSERT_INT_EQ(c->bot.shutdown_grace_s, 30);

	ASSERT_INT_EQ(c->chat.console_enabled, 1);
	ASSERT_STR_EQ(c->chat.console_prompt, "opsbot> ");
	ASSERT_STR_EQ(c->chat.console_user, "ops");
	ASSERT_INT_EQ(c->chat.slack_enabled, 0);
	ASSERT_STR_EQ(c->chat.slack_api_url, "https://slack.com/api/");
	ASSERT_INT_EQ(c->chat.mattermost_enabled, 0);
	ASSERT_STR_EQ(c->chat.mattermost_url, "https://chat.example.com");

	ASSERT_STR_EQ(c->alerts.listen_address, "127.0.0.1");
	ASSERT_INT_EQ(c->alerts.listen_port, 9097);
	ASSERT_STR_EQ(c->alerts.default_channel, "#ops-alerts");

	ASSERT_INT_EQ(c->nroles, 2);
	ASSERT_STR_EQ(c->roles[1].name, "lead");
	ASSERT_STR_EQ(c->roles[1].commands.v[0], "*");
	ASSERT_STR_EQ(c->roles[1].inherits.v[0], "oncall");

	ASSERT_INT_EQ(c->nusers, 5);
	ASSERT_STR_EQ(c->users[4].id, "scheduler");
	ASSERT_STR_EQ(c->users[1].platform, "slack");
	ASSERT_STR_EQ(c->users[1].id, "U024BE7LH");
	ASSERT_STR_EQ(c->users[2].name, "bob");
	ASSERT_NULL(c->users[2].id);

	ASSERT_INT_EQ(c->nhosts, 3);
	h = config_find_host(c, "web1");
	ASSERT_NOT_NULL(h);
	ASSERT_INT_EQ(h->transport, HOST_SSH);
	ASSERT_STR_EQ(h->address, "10.0.0.11");
	ASSERT_INT_EQ(h->port, 22);
	ASSERT_STR_EQ(h->user, "opsbot");
	ASSERT_STR_EQ(h->identity_file, "/etc/opsbot/id_ed25519");
	ASSERT_INT_EQ(h->nlogs, 2);
	ASSERT_STR_EQ(h->logs[1].name, "app");
	ASSERT_STR_EQ(h->logs[1].path, "/var/log/shop/app.log");
	ASSERT_NOT_NULL(config_find_service(h, "shop"));
	ASSERT_STR_EQ(config_find_service(h, "shop")->unit, "shop");
	ASSERT_NULL(config_find_service(h, "nosuch"));
	ASSERT_INT_EQ(h->nmounts, 2);
	ASSERT_INT_EQ(h->mounts[1].warn_pct, 70);
	ASSERT_INT_EQ(h->mounts[1].crit_pct, 85);
	h = config_find_host(c, "db1");
	ASSERT_NOT_NULL(h);
	ASSERT_STR_EQ(h->address, "db1");

	cc = config_find_command(c, "status");
	ASSERT_NOT_NULL(cc);
	ASSERT_INT_EQ(cc->enabled, 1);
	ASSERT_INT_EQ(cc->channels.n, 2);
	ASSERT(config_strlist_has(&cc->channels, "#ops"));

	ASSERT_INT_EQ(c->nschedules, 3);
	/* A command that is no checklist is scheduled too. */
	ASSERT_STR_EQ(c->schedules[2].run, "/handover");
	ASSERT_STR_EQ(c->schedules[0].cron, "0 7 * * mon-fri");
	ASSERT_STR_EQ(c->schedules[0].run, "/sod");
	/* No chat platform is on in the example: kept as written. */
	ASSERT_STR_EQ(c->schedules[0].channel, "#ops");
	ASSERT_INT_EQ(c->schedules[0].enabled, 1);
	ASSERT_INT_EQ(c->schedules[0].business_days, 1);
	config_free(c);
	buf_release(&errors);
}

/* ------------------------------------------------------------ corpus */

TEST(bad_corpus)
{
	struct dirent	**list;
	struct config	 *c;
	struct buf	  errors;
	char		  path[PATH_MAX], *expect;
	int		  n, i, failed = 0;

	/* env-unset.json depends on this. */
	unsetenv("OPSBOT_TEST_NEVER_SET");
	n = scandir(BAD_DIR, &list, select_json, alphasort);
	if (n < 0)
		TEST_FAIL("%s: %s", BAD_DIR, strerror(errno));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", BAD_DIR,
		    list[i]->d_name);
		buf_init(&errors);
		c = NULL;
		if (config_load_file(path, &c, &errors) == 0 || c != NULL) {
			fprintf(stderr, "  %s: loaded but should not\n",
			    list[i]->d_name);
			failed++;
		}
		config_free(c);

		snprintf(path + strlen(path) - strlen(".json"),
		    sizeof path - strlen(path) + strlen(".json"), ".expect");
		if ((expect = read_text(path)) == NULL) {
			fprintf(stderr, "  %s: %s\n", path, strerror(errno));
			failed++;
		} else {
			expect = expand_version(expect);
			if (strcmp(expect, errors.data) != 0) {
				fprintf(stderr, "  %s:\n    got:\n%s    "
				    "expected:\n%s", list[i]->d_name,
				    errors.data, expect);
				failed++;
			}
			free(expect);
		}
		buf_release(&errors);
		free(list[i]);
	}
	free(list);
	if (failed != 0)
		TEST_FAIL("%d of %d bad configs did not fail as expected",
		    failed, n);
	if (n < BAD_MIN)
		TEST_FAIL("only %d bad configs in %s; expected at least %d",
		    n, BAD_DIR, BAD_MIN);
}

/* Every .expect has its .json, so no case is silently skipped. */
TEST(bad_corpus_paired)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];
	int		 nexpect = 0;

	if ((d = opendir(BAD_DIR)) == NULL)
		TEST_FAIL("%s: %s", BAD_DIR, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".expect"))
			continue;
		nexpect++;
		snprintf(path, sizeof path, "%s/%.*s.json", BAD_DIR,
		    (int)(strlen(de->d_name) - strlen(".expect")),
		    de->d_name);
		if (access(path, R_OK) != 0) {
			closedir(d);
			TEST_FAIL("%s has no .json", de->d_name);
		}
	}
	closedir(d);
	ASSERT(nexpect >= BAD_MIN);
}

TEST(good_corpus)
{
	struct dirent	**list;
	struct config	 *c;
	struct buf	  errors;
	char		  path[PATH_MAX];
	int		  n, i, failed = 0;

	n = scandir(GOOD_DIR, &list, select_json, alphasort);
	if (n < 0)
		TEST_FAIL("%s: %s", GOOD_DIR, strerror(errno));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", GOOD_DIR,
		    list[i]->d_name);
		buf_init(&errors);
		if (config_load_file(path, &c, &errors) != 0 ||
		    errors.len != 0) {
			fprintf(stderr, "  %s:\n%s", list[i]->d_name,
			    errors.data);
			failed++;
		}
		config_free(c);
		buf_release(&errors);
		free(list[i]);
	}
	free(list);
	ASSERT_INT_EQ(failed, 0);
	ASSERT(n >= 2);
}

TEST(good_team)
{
	struct config	*c;
	struct buf	 errors;

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_file(GOOD_DIR "/team.json", &c, &errors),
	    0);
	ASSERT_STR_EQ(c->bot.name, "ops-team");
	ASSERT_INT_EQ(c->bot.worker_threads, 2);
	ASSERT_INT_EQ(c->bot.shutdown_grace_s, 60);
	ASSERT_STR_EQ(c->chat.console_prompt, "team> ");
	ASSERT_STR_EQ(c->chat.console_user, "ops");
	ASSERT_INT_EQ(c->nroles, 2);
	ASSERT_STR_EQ(c->roles[0].name, "oncall");
	ASSERT_STR_EQ(c->roles[0].inherits.v[0], "viewer");
	ASSERT_INT_EQ(c->nusers, 3);
	ASSERT_STR_EQ(c->users[0].platform, "console");
	ASSERT_NULL(c->users[0].id);
	ASSERT_INT_EQ(c->users[1].roles.n, 2);
	ASSERT_STR_EQ(c->users[2].platform, "*");
	ASSERT_INT_EQ(c->nhosts, 3);
	ASSERT_INT_EQ(c->hosts[1].port, 2222);
	ASSERT_STR_EQ(c->hosts[1].logs[0].name, "nginx");
	ASSERT_INT_EQ(c->hosts[2].mounts[0].crit_pct, 70);
	ASSERT_INT_EQ(config_find_command(c, "whoami")->enabled, 0);
	config_free(c);
	buf_release(&errors);
}

/* Comment markers inside strings are text; comments elsewhere vanish. */
TEST(comments_in_strings)
{
	struct config	*c;
	struct buf	 errors;

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_file(GOOD_DIR "/comments.json", &c,
	    &errors), 0);
	ASSERT_STR_EQ(c->chat.console_prompt, "http://opsbot/* > ");
	ASSERT_STR_EQ(c->alerts.listen_address, "0.0.0.0");
	ASSERT_INT_EQ(c->alerts.listen_port, 9200);
	ASSERT_STR_EQ(c->alerts.default_channel, "#alerts");
	ASSERT_INT_EQ(c->schedules[0].enabled, 0);
	config_free(c);
	buf_release(&errors);
}

/* Maps keyed by name (roles, commands, logs) reject a repeated name. */
TEST(duplicate_names_in_maps)
{
	char	*e;

	e = load_bad("{ \"commands\": { \"status\": { \"enabled\": true },"
	    " \"status\": { \"enabled\": false } }, \"hosts\": [ { "
	    "\"name\": \"web1\", \"logs\": { \"app\": \"/a.log\", "
	    "\"app\": \"/b.log\" } } ] }");
	ASSERT_STR_EQ(e, "hosts[0].logs.app: duplicate key\n"
	    "commands.status: duplicate key\n");
	free(e);
}

/* A path-independent check of the file loader's own messages. */
TEST(missing_file)
{
	struct config	*c;
	struct buf	 errors;
	char		 expect[PATH_MAX + 64];
	const char	*path = OPSBOT_FIXTURES "/config/no-such-file.json";

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_file(path, &c, &errors), -1);
	ASSERT_NULL(c);
	snprintf(expect, sizeof expect, "%s: cannot open: %s\n", path,
	    strerror(ENOENT));
	ASSERT_STR_EQ(errors.data, expect);
	buf_release(&errors);
}

/* --------------------------------------------------------- variables */

TEST(env_substitution)
{
	struct config	*c;

	setenv("OPSBOT_TEST_DIR", "/srv/opsbot", 1);
	setenv("OPSBOT_TEST_TAG", "blue", 1);
	c = load_ok("{ \"bot\": { \"data_dir\": "
	    "\"${OPSBOT_TEST_DIR}/data\" }, \"hosts\": [ { \"name\": \"web1\", "
	    "\"user\": \"${OPSBOT_TEST_TAG}\", \"tags\": "
	    "[\"${OPSBOT_TEST_TAG}-${OPSBOT_TEST_TAG}\"], \"logs\": "
	    "{ \"app\": \"${OPSBOT_TEST_DIR}/app.log\" } } ] }");
	ASSERT_STR_EQ(c->bot.data_dir, "/srv/opsbot/data");
	ASSERT_STR_EQ(c->hosts[0].user, "blue");
	ASSERT_STR_EQ(c->hosts[0].tags.v[0], "blue-blue");
	ASSERT_INT_EQ(c->hosts[0].nlogs, 1);
	ASSERT_STR_EQ(c->hosts[0].logs[0].path, "/srv/opsbot/app.log");
	config_free(c);
	unsetenv("OPSBOT_TEST_DIR");
	unsetenv("OPSBOT_TEST_TAG");
}

TEST(env_dollar_literal)
{
	struct config	*c;

	setenv("OPSBOT_TEST_DIR", "/srv/opsbot", 1);
	/* $$ is one "$"; a "$" not followed by "{" or "$" stays as it is. */
	c = load_ok("{ \"chat\": { \"console\": { \"prompt\": "
	    "\"$$${OPSBOT_TEST_DIR} $${x} a$b $$$$> \" } } }");
	ASSERT_STR_EQ(c->chat.console_prompt,
	    "$/srv/opsbot ${x} a$b $$> ");
	config_free(c);
	unsetenv("OPSBOT_TEST_DIR");
}

TEST(env_unset_and_bad)
{
	char	*e;

	unsetenv("OPSBOT_TEST_UNSET");
	e = load_bad("{ \"bot\": { \"name\": \"${OPSBOT_TEST_UNSET}\" } }");
	ASSERT_STR_EQ(e, "bot.name: environment variable OPSBOT_TEST_UNSET "
	    "is not set\n");
	free(e);
	e = load_bad("{ \"users\": [ { \"name\": \"a\", \"roles\": "
	    "[\"${1X}\"] } ] }");
	ASSERT_STR_EQ(e, "users[0].roles[0]: bad variable reference; write "
	    "${NAME} with letters, digits and _ (or $$ for a literal $)\n"
	    "users[0].roles: a user needs at least one role (built-in: "
	    "viewer, operator, admin)\n");
	free(e);
	e = load_bad("{ \"bot\": { \"name\": \"${}\" } }");
	ASSERT_CONTAINS(e, "bot.name: bad variable reference");
	free(e);
}

/* ----------------------------------------------------------- secrets */

/* Slack stays disabled: enabling it is an error in this version. */
#define SLACK_FILE_FMT	"{ \"chat\": { \"slack\": { \"enabled\": false, " \
	"\"bot_token_file\": \"%s\" } } }"

TEST(secret_file_read)
{
	struct config	*c;
	char		*text, *bot, *app;

	bot = strdup(test_write_file("bot-token",
	    "xoxb-1111-2222-abcdefabcdef\n", 0600));
	app = strdup(test_write_file("app-token", "xapp-1-A0-3333-cafe\r\n",
	    0400));
	text = fmt("{ \"chat\": { \"slack\": { \"enabled\": false, "
	    "\"bot_token_file\": \"%s\", \"app_token_file\": \"%s\" } } }",
	    bot, app);
	c = load_ok(text);
	ASSERT_STR_EQ(c->chat.slack_bot_token, "xoxb-1111-2222-abcdefabcdef");
	ASSERT_STR_EQ(c->chat.slack_app_token, "xapp-1-A0-3333-cafe");
	ASSERT_INT_EQ(c->chat.slack_enabled, 0);
	/* A disabled platform does not turn the console off. */
	ASSERT_INT_EQ(c->chat.console_enabled, 1);
	config_free(c);
	free(text);
	free(bot);
	free(app);
}

TEST(secret_inline_and_mattermost_file)
{
	struct config	*c;
	char		*path, *text;

	setenv("OPSBOT_TEST_TOKEN", "xoxb-from-env-0123", 1);
	c = load_ok("{ \"chat\": { \"slack\": { \"enabled\": false, "
	    "\"bot_token\": \"${OPSBOT_TEST_TOKEN}\" } } }");
	ASSERT_STR_EQ(c->chat.slack_bot_token, "xoxb-from-env-0123");
	config_free(c);
	unsetenv("OPSBOT_TEST_TOKEN");

	path = strdup(test_write_file("mm-token", "mm-secret-9876 \n\n",
	    0600));
	text = fmt("{ \"chat\": { \"mattermost\": { \"enabled\": "
	    "false, \"url\": \"http://mm.local:8065\", \"token_file\": "
	    "\"%s\" } } }", path);
	c = load_ok(text);
	ASSERT_STR_EQ(c->chat.mattermost_token, "mm-secret-9876");
	ASSERT_STR_EQ(c->chat.mattermost_url, "http://mm.local:8065");
	config_free(c);
	free(text);
	free(path);
}

TEST(secret_file_mode_refused)
{
	char	*path, *text, *e, *expect;

	path = strdup(test_write_file("open-token", "xoxb-1-2-3\n", 0644));
	text = fmt(SLACK_FILE_FMT, path);
	e = load_bad(text);
	expect = fmt("chat.slack.bot_token_file: %s is readable by group or "
	    "others (mode 0644); run: chmod 600 %s\n", path, path);
	ASSERT_STR_EQ(e, expect);
	free(e);
	free(expect);
	free(text);

	/* Group-readable is as bad as world-readable. */
	free(path);
	path = strdup(test_write_file("open-token", "xoxb-1-2-3\n", 0640));
	text = fmt(SLACK_FILE_FMT, path);
	e = load_bad(text);
	ASSERT_CONTAINS(e, "(mode 0640); run: chmod 600 ");
	free(e);
	free(text);
	free(path);
}

TEST(secret_both_set)
{
	char	*path, *text, *e;

	path = strdup(test_write_file("both-token", "xoxb-1-2-3\n", 0600));
	text = fmt("{ \"chat\": { \"slack\": { \"enabled\": false, "
	    "\"bot_token\": \"xoxb-4-5-6\", \"bot_token_file\": \"%s\" } } }",
	    path);
	e = load_bad(text);
	ASSERT_STR_EQ(e, "chat.slack.bot_token: set either bot_token or "
	    "bot_token_file, not both\n");
	free(e);
	free(text);
	free(path);
}

TEST(secret_file_missing)
{
	char	*path, *text, *e, *expect;

	path = fmt("%s/no-such-token", test_tmpdir());
	text = fmt(SLACK_FILE_FMT, path);
	e = load_bad(text);
	expect = fmt("chat.slack.bot_token_file: cannot read %s: %s\n", path,
	    strerror(ENOENT));
	ASSERT_STR_EQ(e, expect);
	free(expect);
	free(e);
	free(text);
	free(path);
}

TEST(secret_file_empty)
{
	char	*path, *text, *e, *expect;

	path = strdup(test_write_file("empty-token", "\n", 0600));
	text = fmt(SLACK_FILE_FMT, path);
	e = load_bad(text);
	expect = fmt("chat.slack.bot_token_file: %s is empty\n", path);
	ASSERT_STR_EQ(e, expect);
	free(expect);
	free(e);
	free(text);
	free(path);

	/* A file with nothing at all. */
	path = strdup(test_write_file("empty-token", "", 0600));
	text = fmt(SLACK_FILE_FMT, path);
	e = load_bad(text);
	expect = fmt("chat.slack.bot_token_file: %s is empty\n", path);
	ASSERT_STR_EQ(e, expect);
	free(expect);
	free(e);
	free(text);
	free(path);
}

TEST(secret_file_not_regular)
{
	char	*path, *link, *text, *e, *expect;

	/* A directory. */
	text = fmt(SLACK_FILE_FMT, test_tmpdir());
	e = load_bad(text);
	ASSERT_CONTAINS(e, "is not a regular file");
	free(e);
	free(text);

	/* A symbolic link is not followed, even to a good file. */
	path = strdup(test_write_file("real-token", "xoxb-7-8-9\n", 0600));
	link = fmt("%s/link-token", test_tmpdir());
	unlink(link);
	ASSERT_INT_EQ(symlink(path, link), 0);
	text = fmt(SLACK_FILE_FMT, link);
	e = load_bad(text);
	expect = fmt("chat.slack.bot_token_file: cannot read %s: %s\n", link,
	    strerror(ELOOP));
	ASSERT_STR_EQ(e, expect);
	free(expect);
	free(e);
	free(text);
	free(link);
	free(path);

	/* A FIFO named by mistake is refused at once, not waited on. */
	path = fmt("%s/fifo-token", test_tmpdir());
	unlink(path);
	ASSERT_INT_EQ(mkfifo(path, 0600), 0);
	text = fmt(SLACK_FILE_FMT, path);
	e = load_bad(text);
	expect = fmt("chat.slack.bot_token_file: %s is not a regular file\n",
	    path);
	ASSERT_STR_EQ(e, expect);
	free(expect);
	free(e);
	free(text);
	free(path);
}

TEST(secret_wrong_prefix)
{
	char	*e;

	e = load_bad("{ \"chat\": { \"slack\": { \"enabled\": false, "
	    "\"bot_token\": \"xapp-1-2-3\" } } }");
	ASSERT_CONTAINS(e, "chat.slack.bot_token: a bot token starts with "
	    "\"xoxb-\"");
	free(e);
}

TEST(secret_redacted)
{
	struct config	*c;
	char		*path, *text, *out;

	path = strdup(test_write_file("redact-token",
	    "xoxb-9999-8888-deadbeef\n", 0600));
	text = fmt(SLACK_FILE_FMT, path);
	c = load_ok(text);
	log_clear_secrets();
	out = log_redact("posting with xoxb-9999-8888-deadbeef now");
	ASSERT_STR_EQ(out, "posting with xoxb-9999-8888-deadbeef now");
	free(out);
	config_register_secrets(c);
	out = log_redact("posting with xoxb-9999-8888-deadbeef now");
	ASSERT_STR_EQ(out, "posting with [REDACTED] now");
	free(out);
	log_clear_secrets();
	config_free(c);
	free(text);
	free(path);
}

/* ----------------------------------------------------------- lookups */

TEST(find_host_and_command)
{
	struct config			*c;
	const struct cfg_host		*h;
	const struct cfg_command	*cc;

	c = load_ok("{ \"hosts\": [ { \"name\": \"web1\" }, "
	    "{ \"name\": \"web2\", \"address\": \"10.1.1.2\" } ], "
	    "\"commands\": { \"status\": { \"channels\": [\"#ops\"] }, "
	    "\"help\": { \"enabled\": false } } }");
	h = config_find_host(c, "web2");
	ASSERT_NOT_NULL(h);
	ASSERT(h == &c->hosts[1]);
	ASSERT_STR_EQ(h->address, "10.1.1.2");
	ASSERT_NULL(config_find_host(c, "web3"));
	ASSERT_NULL(config_find_host(c, "WEB1"));
	ASSERT_NULL(config_find_host(c, ""));

	cc = config_find_command(c, "status");
	ASSERT_NOT_NULL(cc);
	ASSERT_INT_EQ(cc->enabled, 1);
	ASSERT_INT_EQ(cc->channels.n, 1);
	ASSERT(config_strlist_has(&cc->channels, "#ops"));
	ASSERT(!config_strlist_has(&cc->channels, "general"));
	cc = config_find_command(c, "help");
	ASSERT_NOT_NULL(cc);
	ASSERT_INT_EQ(cc->enabled, 0);
	ASSERT_INT_EQ(cc->channels.n, 0);
	ASSERT_NULL(config_find_command(c, "whoami"));
	config_free(c);
}

/*
 * The loader checks command names against the ones it is given
 * (config_set_commands), not against a command table of its own.
 */
TEST(command_names_come_from_the_caller)
{
	static const struct config_cmd	 mine[] = { { "deploy", "dp" } };
	static const char		 text[] = "{\"roles\": {\"rel\": "
	    "{\"commands\": [\"deploy\"]}}, \"commands\": {\"deploy\": "
	    "{\"enabled\": false}}}";
	struct config			*c;
	char				*errs;

	config_set_commands(mine, 1);
	c = load_ok(text);
	ASSERT_NOT_NULL(config_find_command(c, "deploy"));
	config_free(c);
	errs = load_bad("{\"roles\": {\"r\": {\"commands\": [\"health\"]}}}");
	ASSERT_CONTAINS(errs, "roles.r.commands[0]: unknown command \"health\"");
	free(errs);

	/* Not told (a tool, the fuzzer): nothing to check names against. */
	config_set_commands(NULL, 0);
	config_free(load_ok("{\"roles\": {\"r\": {\"commands\": "
	    "[\"anything\"]}}}"));

	cmd_config_commands(cmd_table);
	errs = load_bad(text);
	ASSERT_CONTAINS(errs, "roles.rel.commands[0]: unknown command "
	    "\"deploy\"");
	ASSERT_CONTAINS(errs, "commands.deploy: unknown command \"deploy\"");
	free(errs);
}

static const struct test tests[] = {
	TEST_ENTRY(command_names_come_from_the_caller),
	TEST_ENTRY(default_loads),
	TEST_ENTRY(empty_object_defaults),
	TEST_ENTRY(example_loads),
	TEST_ENTRY(bad_corpus),
	TEST_ENTRY(bad_corpus_paired),
	TEST_ENTRY(good_corpus),
	TEST_ENTRY(good_team),
	TEST_ENTRY(comments_in_strings),
	TEST_ENTRY(duplicate_names_in_maps),
	TEST_ENTRY(missing_file),
	TEST_ENTRY(env_substitution),
	TEST_ENTRY(env_dollar_literal),
	TEST_ENTRY(env_unset_and_bad),
	TEST_ENTRY(secret_file_read),
	TEST_ENTRY(secret_inline_and_mattermost_file),
	TEST_ENTRY(secret_file_mode_refused),
	TEST_ENTRY(secret_both_set),
	TEST_ENTRY(secret_file_missing),
	TEST_ENTRY(secret_file_empty),
	TEST_ENTRY(secret_file_not_regular),
	TEST_ENTRY(secret_wrong_prefix),
	TEST_ENTRY(secret_redacted),
	TEST_ENTRY(find_host_and_command),
	TEST_END
};

int
main(int argc, char **argv)
{
	/* As main.c does: roles and commands.* name real commands. */
	cmd_config_commands(cmd_table);
	return test_run(tests, argc, argv);
}
