/*
 * Where the bot's own messages go (alerts, scheduled summaries): a
 * receiver "slack:#ops-alerts" names an adapter and one of its channels;
 * the adapter renders and queues the message in the outbox.
 */

#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "bot.h"
#include "bot_post.h"
#include "outbox.h"
#include "xmalloc.h"

struct chat *
bot_chat_for(struct bot *b, const char *receiver, const char **channel)
{
	const char	*colon = strchr(receiver, ':');
	size_t		 n = colon != NULL ? (size_t)(colon - receiver) :
			    strlen(receiver);
	size_t		 i;

	*channel = colon != NULL ? colon + 1 : receiver;
	for (i = 0; i < b->nchats; i++) {
		if (strlen(b->chats[i]->ops->name) == n &&
		    strncmp(b->chats[i]->ops->name, receiver, n) == 0)
			return b->chats[i];
	}
	return NULL;
}

int64_t
bot_post(struct bot *b, const char *receiver, const char *kind,
    int64_t ref, const struct message *m, char **cause)
{
	const char	*channel;
	struct chat	*c = bot_chat_for(b, receiver, &channel);

	if (c == NULL) {
		cause_set(cause, "%s: that chat platform is not enabled",
		    receiver);
		return -1;
	}
	if (c->ops->post == NULL) {
		cause_set(cause, "%s: %s cannot post alerts", receiver,
		    c->ops->name);
		return -1;
	}
	return c->ops->post(c, channel, kind, ref, m, cause);
}

size_t
bot_backlog(struct bot *b, const char *receiver)
{
	const char	*colon = strchr(receiver, ':');
	char		*platform;
	size_t		 n;

	if (colon == NULL)
		return 0;
	platform = xstrndup(receiver, (size_t)(colon - receiver));
	n = outbox_backlog(b->outbox, platform, colon + 1);
	free(platform);
	return n;
}
