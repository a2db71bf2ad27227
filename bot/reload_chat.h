/*
 * A reload that changes a chat platform's settings (a rotated token, a new
 * URL) restarts that platform's adapter alone: the new one is started on
 * the new settings first, and only if it starts (the token is accepted)
 * is the old one stopped. A refused start keeps the old adapter running on
 * its old settings; the reload says so in the log and in /status.
 */
#ifndef OPSBOT_RELOAD_CHAT_H
#define OPSBOT_RELOAD_CHAT_H

struct bot;
struct buf;
struct config;

/* Which adapters a reload restarts. */
struct reload_chat {
	int	 slack;
	int	 mattermost;
};

/*
 * Compares old and new chat settings: sets *rc to the adapters to
 * restart (on in both, settings changed) and logs "restart needed" for
 * what a reload cannot change (the console, turning a platform on or off,
 * the shared outbox pacing).
 */
void	reload_chat_plan(const struct config *old, const struct config *c,
	    struct reload_chat *rc);
/*
 * Exchanges the settings of the adapters in rc between a and b. Its own
 * inverse: the reload keeps every chat setting of the old config, then
 * swaps back in the new ones of the adapters it restarts.
 */
void	reload_chat_swap(struct config *a, struct config *b,
	    const struct reload_chat *rc);
/*
 * Loop thread, once b->cfg is the new config and old is retired: starts
 * each adapter in rc on b->cfg and retires the one it replaces. One that
 * will not start is retired instead, its settings in b->cfg go back to
 * old's, and b->reload_chat_error says why. Returns 0 if every restart
 * worked, else -1.
 */
int	reload_chat_restart(struct bot *b, struct config *old,
	    const struct reload_chat *rc);

#endif
