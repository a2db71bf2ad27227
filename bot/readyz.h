/*
 * GET /readyz on the bot's listener: can the bot do its job now? 503 with
 * a JSON body naming each problem when the store cannot commit, an
 * enabled chat link has been down or silent longer than
 * bot.ready_link_silence, or the oldest undelivered chat message is
 * older than bot.ready_outbox_age; 200 {"ok":true,...} otherwise.
 * (/healthz stays "the process and its loop are alive".)
 */
#ifndef OPSBOT_READYZ_H
#define OPSBOT_READYZ_H

struct bot;

/* Adds the route to bot->httpd (which must be running). */
void	 readyz_start(struct bot *);
/*
 * The verdict as a JSON text (caller frees); *ready is 1 or 0. For
 * /readyz and the tests.
 */
char	*readyz_check(struct bot *, int *ready);

#endif
