/* Adapter lifecycle and origin copies shared by every chat platform. */

#include <stdlib.h>

#include "chat.h"
#include "xmalloc.h"

struct chat *
chat_create(const struct chat_ops *ops, struct bot *bot)
{
	struct chat	*c = xcalloc(1, sizeof *c);

	c->ops = ops;
	c->bot = bot;
	return c;
}

void
chat_free(struct chat *c)
{
	if (c == NULL)
		return;
	if (c->ops->free != NULL)
		c->ops->free(c);
	free(c);
}

static char *
chat_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
chat_origin_set(struct chat_origin *o, const char *platform,
    const struct chat_msg *m)
{
	o->platform = xstrdup(platform);
	o->user_id = chat_dup(m->user_id);
	o->user_name = chat_dup(m->user_name);
	o->channel = chat_dup(m->channel);
	o->reply_to = chat_dup(m->reply_to);
}

void
chat_origin_release(struct chat_origin *o)
{
	xfree(o->platform);
	xfree(o->user_id);
	xfree(o->user_name);
	xfree(o->channel);
	xfree(o->reply_to);
}
