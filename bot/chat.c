/* Adapter lifecycle and origin copies shared by every chat platform. */

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "loop.h"
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
	o->source_id = chat_dup(m->source_id);
	o->thread = chat_dup(m->thread);
	o->click = m->click;
}

void
chat_origin_release(struct chat_origin *o)
{
	xfree(o->platform);
	xfree(o->user_id);
	xfree(o->user_name);
	xfree(o->channel);
	xfree(o->reply_to);
	xfree(o->source_id);
	xfree(o->thread);
}

unsigned int
chat_backoff_ms(unsigned short *count)
{
	static const unsigned int steps[] = { 1000, 2000, 4000, 8000, 16000,
	    30000 };
	size_t		 n = sizeof steps / sizeof *steps;
	unsigned int	 ms = steps[*count < n ? *count : n - 1];

	if (*count < 0xffff)
		(*count)++;
	return ms * (80 + (unsigned int)(random() % 41)) / 100;
}

int
chat_ws_collect(struct lws *wsi, struct buf *rx, int *refused,
    const void *in, size_t len, size_t max)
{
	if (lws_is_first_fragment(wsi)) {
		buf_clear(rx);
		*refused = 0;
	}
	if (lws_frame_is_binary(wsi) || rx->len + len > max)
		*refused = 1;
	else
		buf_add(rx, in, len);
	if (!lws_is_final_fragment(wsi) ||
	    lws_remaining_packet_payload(wsi) != 0)
		return 0;
	if (*refused) {
		buf_clear(rx);
		return -1;
	}
	return 1;
}

int
chat_ws_connect(struct loop *loop, int tls, const char *address, int port,
    const char *path, struct loop_ws *owner,
    const struct lws_retry_bo *idle, struct lws **pwsi)
{
	struct lws_client_connect_info	 i;

	memset(&i, 0, sizeof i);
	i.context = loop_lws(loop);
	i.address = address;
	i.port = port;
	i.path = path;
	i.host = address;		/* Host header, SNI and cert check */
	i.local_protocol_name = LOOP_WS_PROTOCOL;
	i.ssl_connection = tls ? LCCSCF_USE_SSL : 0;
	i.opaque_user_data = owner;
	i.retry_and_idle_policy = idle;
	i.pwsi = pwsi;
	return lws_client_connect_via_info(&i) != NULL ? 0 : -1;
}

void
chat_store_failed(const struct message *m, const char *cause,
    struct message *out, char **title)
{
	const char	*why = cause != NULL ? strrchr(cause, ':') : NULL;

	/* "PATH: what: reason": the reason, sqlite's own words, is enough. */
	why = why != NULL ? why + 1 : cause != NULL ? cause : "unknown error";
	while (*why == ' ')
		why++;
	xasprintf(title, "the bot cannot write its store: %s", why);
	*out = *m;
	out->title = *title;
	out->status = MESSAGE_WARN;
	/* The answer's own title moves to the text, which it replaces. */
	out->text = m->title != NULL ? m->title : m->text;
	out->nbuttons = 0;
	out->replace = 0;
}
