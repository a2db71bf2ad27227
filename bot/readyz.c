/*
 * Readiness (see readyz.h). Each check adds a field to the answer and,
 * when it fails, one sentence to "problems", so whoever reads a failed
 * probe sees what to fix without opening the log.
 */

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "chatlink.h"
#include "clock.h"
#include "httpd.h"
#include "readyz.h"
#include "store_health.h"
#include "ticket.h"
#include "xmalloc.h"

struct readyz_outbox {
	int64_t		 now;
	int64_t		 oldest_ms;	/* creation of the oldest, or 0 */
	const char	*platform;
};

static void
readyz_problem(cJSON *problems, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
readyz_problem(cJSON *problems, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(problems, cJSON_CreateString(s));
	free(s);
}

static void
readyz_store(struct bot *b, cJSON *root, cJSON *problems)
{
	char	*why = NULL;

	if (store_can_commit(b->store, &why) == 0) {
		cJSON_AddStringToObject(root, "store", "ok");
		return;
	}
	cJSON_AddStringToObject(root, "store", why != NULL ? why : "error");
	readyz_problem(problems, "store: cannot commit: %s", why != NULL ?
	    why : "unknown error");
	free(why);
}

/* Each live chat link: up and heard from within the threshold. */
static void
readyz_chat(struct bot *b, cJSON *root, cJSON *problems)
{
	cJSON			*chat = cJSON_AddObjectToObject(root, "chat");
	cJSON			*o;
	struct chatlink_info	 li;
	int64_t			 now = clock_mono_ms(), limit, since;
	size_t			 i;
	const char		*name;

	limit = b->cfg->bot.ready_link_silence_s * 1000;
	for (i = 0; i < b->nchats; i++) {
		name = b->chats[i]->ops->name;
		/* The console has no link to lose. */
		if (strcmp(name, "console") == 0)
			continue;
		o = cJSON_AddObjectToObject(chat, name);
		if (chatlink_get(name, &li) != 0) {
			/* Never connected: down since the start. */
			li.up = 0;
			li.changed_mono = b->started_mono;
			li.inbound_mono = 0;
		}
		cJSON_AddBoolToObject(o, "up", li.up);
		since = now - (li.up ? li.inbound_mono : li.changed_mono);
		cJSON_AddNumberToObject(o, li.up ? "silent_s" : "down_s",
		    (double)(since / 1000));
		if (since <= limit)
			continue;
		if (li.up)
			readyz_problem(problems, "%s: no frame and no pong for "
			    "%lld s (bot.ready_link_silence %lld s)", name,
			    (long long)(since / 1000),
			    (long long)(limit / 1000));
		else
			readyz_problem(problems, "%s: link down for %lld s "
			    "(bot.ready_link_silence %lld s)", name,
			    (long long)(since / 1000),
			    (long long)(limit / 1000));
	}
}

static void
readyz_outbox_row(void *arg, const char *platform, int64_t pending,
    int64_t oldest_ms)
{
	struct readyz_outbox	*r = arg;

	(void)pending;
	/*
	 * Tickets wait for ServiceNow, not for chat: an outage there delays
	 * them (on /metrics by platform) but leaves the bot ready.
	 */
	if (strcmp(platform, TICKET_PLATFORM) == 0)
		return;
	if (oldest_ms > 0 && (r->oldest_ms == 0 || oldest_ms < r->oldest_ms)) {
		r->oldest_ms = oldest_ms;
		r->platform = platform;	/* only for the sentence below */
	}
}

static void
readyz_outbox(struct bot *b, cJSON *root, cJSON *problems)
{
	struct readyz_outbox	 r = { clock_now_ms(), 0, NULL };
	int64_t			 age, limit;
	char			*why = NULL;

	limit = b->cfg->bot.ready_outbox_age_s * 1000;
	if (store_outbox_summary(b->store, readyz_outbox_row, &r, &why) != 0) {
		readyz_problem(problems, "outbox: %s", why != NULL ? why :
		    "cannot read");
		free(why);
		return;
	}
	age = r.oldest_ms > 0 && r.now > r.oldest_ms ? r.now - r.oldest_ms : 0;
	cJSON_AddNumberToObject(root, "outbox_oldest_s", (double)(age / 1000));
	if (age > limit)
		readyz_problem(problems, "outbox: the oldest undelivered "
		    "message is %lld s old (bot.ready_outbox_age %lld s)",
		    (long long)(age / 1000), (long long)(limit / 1000));
}

char *
readyz_check(struct bot *b, int *ready)
{
	cJSON	*root = cJSON_CreateObject(), *problems;
	char	*text;

	cJSON_AddBoolToObject(root, "ok", 1);
	problems = cJSON_AddArrayToObject(root, "problems");
	readyz_store(b, root, problems);
	readyz_chat(b, root, problems);
	readyz_outbox(b, root, problems);
	*ready = cJSON_GetArraySize(problems) == 0;
	cJSON_ReplaceItemInObject(root, "ok", cJSON_CreateBool(*ready));
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

static void
readyz_get(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	char	*text;
	int	 ready;

	(void)req;
	text = readyz_check(arg, &ready);
	resp->status = ready ? 200 : 503;
	buf_adds(&resp->body, text);
	buf_addc(&resp->body, '\n');
	cJSON_free(text);
}

void
readyz_start(struct bot *b)
{
	httpd_route(b->httpd, "GET", "/readyz", readyz_get, b);
}
