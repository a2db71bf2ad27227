/*
 * Who the bot is on Mattermost (GET /api/v4/users/me) and what follows
 * from it (slash command registration, the alert routes' channels): at
 * start, or, when the server did not answer then, once it does. A server
 * that is down at start does not stop the bot (alerts are still taken,
 * posts wait in the outbox, the link is retried with backoff); a refused
 * token or a wrong channel does, with the fix in the message.
 */

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "bot.h"
#include "http.h"
#include "log.h"
#include "mattermost_int.h"
#include "workers.h"
#include "xmalloc.h"

/* What users/me said, kept apart from the adapter until the loop takes it. */
struct mm_me {
	char	user_id[32];
	char	username[64];
};

/*
 * users/me with the bot's token. Blocking: start-up or a worker; touches
 * nothing shared. Sets *cause (caller frees) unless MM_ID_OK.
 */
static enum mm_id
mm_whoami(const char *base, const char *token, struct mm_me *me,
    char **cause)
{
	struct http_response	 r;
	const char		*headers[2], *v;
	char			*url, *auth;
	cJSON			*json;
	enum mm_id		 id;

	cause_clear(cause);
	xasprintf(&url, "%s/api/v4/users/me", base);
	auth = mm_auth_header(token);
	headers[0] = auth;
	headers[1] = NULL;
	http_request("GET", url, headers, NULL, NULL, MM_HTTP_TIMEOUT_MS, &r);
	mm_auth_free(auth);
	free(url);
	if (r.status == 0 || r.status >= 500) {
		if (r.status == 0)
			cause_set(cause, "mattermost: cannot reach %s (%s)", base,
			    r.error);
		else
			cause_set(cause, "mattermost: users/me: HTTP %ld",
			    r.status);
		http_response_release(&r);
		return MM_ID_DOWN;
	}
	if (r.status == 401 || r.status == 403) {
		cause_set(cause, "mattermost: the token was refused (users/me: "
		    "HTTP %ld); check chat.mattermost.token (or "
		    "MATTERMOST_TOKEN): a bot account's access token", r.status);
		http_response_release(&r);
		return MM_ID_REFUSED;
	}
	if (r.status != 200) {
		cause_set(cause, "mattermost: users/me: HTTP %ld (is %s a "
		    "Mattermost server?)", r.status, base);
		http_response_release(&r);
		return MM_ID_BAD;
	}
	json = cJSON_Parse(r.body.data);
	http_response_release(&r);
	if ((v = mm_str(json, "id")) == NULL) {
		cause_set(cause, "mattermost: users/me did not say who we are");
		id = MM_ID_BAD;
	} else {
		snprintf(me->user_id, sizeof me->user_id, "%s", v);
		if ((v = mm_str(json, "username")) != NULL)
			snprintf(me->username, sizeof me->username, "%s", v);
		id = MM_ID_OK;
	}
	cJSON_Delete(json);
	return id;
}

/*
 * The bot is known: take its identity, register its slash commands and
 * resolve the routes' channels. Loop thread (or start). -1 with *cause
 * (may be NULL) when a channel is wrong.
 */
static int
mm_identified(struct mattermost *mm, const struct mm_me *me, char **cause)
{
	snprintf(mm->user_id, sizeof mm->user_id, "%s", me->user_id);
	snprintf(mm->username, sizeof mm->username, "%s", me->username);
	log_info("mattermost", "token ok: @%s", mm->username);
	mm_commands_register(mm);
	/* Channels named in the config must exist and have the bot in. */
	if (mm_channels_start(mm, cause) != 0)
		return -1;
	/* Senders on workers see the channels once they see this. */
	atomic_store(&mm->unidentified, 0);
	return 0;
}

enum mm_id
mm_identify(struct mattermost *mm, char **cause)
{
	struct mm_me	 me;
	enum mm_id	 id;
	char		*why = NULL;

	memset(&me, 0, sizeof me);
	if ((id = mm_whoami(mm->url, mm->token, &me, &why)) == MM_ID_DOWN) {
		log_warn("mattermost", "%s; starting without Mattermost: posts "
		    "wait in the outbox and the link is retried", why);
		free(why);
		atomic_store(&mm->unidentified, 1);
		return id;
	}
	if (id != MM_ID_OK) {
		cause_take(cause, why);
		return id;
	}
	return mm_identified(mm, &me, cause) == 0 ? MM_ID_OK : MM_ID_BAD;
}

/* users/me again, on a worker: the server was down at start. */
struct mm_identify_job {
	struct mattermost	*mm;
	const char		*url, *token;	/* borrowed from the config */
	struct mm_me		 me;
	enum mm_id		 id;
	char			*cause;
};

static void
mm_identify_work(void *arg)
{
	struct mm_identify_job	*j = arg;

	j->id = mm_whoami(j->url, j->token, &j->me, &j->cause);
}

static void
mm_identify_done(void *arg, enum workers_status st)
{
	struct mm_identify_job	*j = arg;
	struct mattermost	*mm = j->mm;
	char			*cause = NULL;

	mm->identifying = 0;
	if (st == WORKERS_DONE && !mm->stopping) {
		if (j->id == MM_ID_DOWN) {
			log_warn("mattermost", "%s", j->cause);
			mm_schedule_retry(mm);
		} else if (j->id != MM_ID_OK) {
			mm->stopping = 1;
			bot_fatal(mm->bot, j->id == MM_ID_REFUSED ? 4 : 3,
			    j->cause);
		} else if (mm_identified(mm, &j->me, &cause) != 0) {
			mm->stopping = 1;
			bot_fatal(mm->bot, 3, cause);
			free(cause);
		} else
			mm_connect(mm);
	}
	free(j->cause);
	free(j);
}

void
mm_identify_late(struct mattermost *mm)
{
	struct mm_identify_job	*j;

	if (mm->identifying || mm->stopping)
		return;
	j = xcalloc(1, sizeof *j);
	j->mm = mm;
	j->url = mm->url;
	j->token = mm->token;
	mm->identifying = 1;
	if (workers_submit(mm->bot->workers, mm_identify_work,
	    mm_identify_done, j) != 0) {
		mm->identifying = 0;
		free(j);
		mm_schedule_retry(mm);
	}
}
