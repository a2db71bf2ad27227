/*
 * Plain replies in threads: not commands, so they skip the dispatcher
 * (no parsing, no audit row, no answer) and go to the one handler main.c
 * set, which decides whether the thread is one it keeps (an incident's).
 */

#include <stddef.h>

#include "bot.h"

void
bot_set_thread_fn(struct bot *b, bot_thread_fn fn)
{
	b->thread_reply = fn;
}

void
bot_handle_thread_reply(struct bot *b, struct chat *chat,
    const struct chat_msg *m)
{
	/* A stopping bot takes no more input, like commands. */
	if (b->stopping || b->thread_reply == NULL || m->thread == NULL ||
	    m->len == 0)
		return;
	b->thread_reply(b, chat, m);
}
