/*
 * /silence and /unsilence on an Alertmanager too (alerts.alertmanager_
 * api_url): the silence is created there, and expired there, by an HTTP
 * call on a worker thread; the command answers when it is back, with the
 * local outcome and Alertmanager's. The local silence stands either way.
 */
#ifndef OPSBOT_SILENCE_AM_H
#define OPSBOT_SILENCE_AM_H

#include <stdint.h>

#include "bot.h"
#include "labels.h"

/*
 * Whether a silence of m goes to Alertmanager too: the API is configured
 * and m covers an open alert that came from Alertmanager, or none yet
 * (a silence set ahead of a maintenance). Alerts that only the bot knows
 * (its own checks, generic hooks) have nothing to silence there.
 */
int	 silence_am_wanted(struct cmd_ctx *, const struct matchers *m);
/*
 * Sends body (am_silence_body) for local silence id. Returns CMD_PENDING
 * (the answer follows, with a line about Alertmanager) or, when it could
 * not even start, CMD_DONE with that said in the answer.
 */
enum cmd_result silence_am_create(struct cmd_ctx *, int64_t id,
	    const char *body);
/* Expires remote_id at api; the same contract. */
enum cmd_result silence_am_expire(struct cmd_ctx *, const char *api,
	    const char *remote_id);

#endif
