/*
 * recchat: the recording chat adapter the unit tests share (recchat.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recchat.h"

struct recchat	recchat;

static int
rec_start(struct chat *c, char **cause)
{
	if (cause != NULL)
		*cause = NULL;
	return 0;
}

static void
rec_stop(struct chat *c)
{
}

static void
rec_reply(struct chat *c, const struct chat_origin *o,
    const struct message *m)
{
	char	*text = message_render_text(m);

	recchat.last_button[0] = '\0';
	if (m->nbuttons > 0)
		snprintf(recchat.last_button, sizeof recchat.last_button, "%s",
		    m->buttons[0].value);
	recchat.last_replace = m->replace;
	recchat.last_ephemeral = m->ephemeral;
	if (recchat.replies.len > 0)
		buf_adds(&recchat.replies, "\n--\n");
	buf_adds(&recchat.replies, text);
	if (recchat.on_reply != NULL)
		recchat.on_reply(text);
	free(text);
}

static void
rec_describe(struct chat *c, struct buf *b)
{
	buf_adds(b, "recording");
}

void
recchat_ops(struct chat_ops *ops, const char *name)
{
	memset(ops, 0, sizeof *ops);
	ops->name = name;
	ops->start = rec_start;
	ops->stop = rec_stop;
	ops->reply = rec_reply;
	ops->describe = rec_describe;
}
