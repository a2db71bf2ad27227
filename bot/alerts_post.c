/*
 * Where alert messages go in the running bot (the engine's sink): a
 * receiver "slack:#ops-alerts" names an adapter and one of its channels;
 * the adapter renders and queues the message in the outbox.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts_post.h"
#include "bot.h"
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

static int64_t
alerts_sink_post(void *arg, const char *receiver, const char *kind,
    int64_t ref, const struct message *m, char **cause)
{
	return bot_post(arg, receiver, kind, ref, m, cause);
}

int64_t
bot_post(struct bot *b, const char *receiver, const char *kind,
    int64_t ref, const struct message *m, char **cause)
{
	const char	*channel;
	struct chat	*c = bot_chat_for(b, receiver, &channel);

	if (c == NULL) {
		xasprintf(cause, "%s: that chat platform is not enabled",
		    receiver);
		return -1;
	}
	if (c->ops->post == NULL) {
		xasprintf(cause, "%s: %s cannot post alerts", receiver,
		    c->ops->name);
		return -1;
	}
	return c->ops->post(c, channel, kind, ref, m, cause);
}

static size_t
alerts_sink_backlog(void *arg, const char *receiver)
{
	struct bot	*b = arg;
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

void
alerts_sink_for_bot(struct bot *b, struct alerts_sink *sink)
{
	sink->post = alerts_sink_post;
	sink->backlog = alerts_sink_backlog;
	sink->arg = b;
}
