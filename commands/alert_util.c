/* Helpers of the alert commands (see alert_util.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_util.h"
#include "bot.h"
#include "buf.h"

int64_t
alert_id_parse(const char *s)
{
	char		*end;
	long long	 v;

	if (*s == '#')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v <= 0)
		return -1;
	return v;
}

const char *
alert_actor(struct cmd_ctx *ctx, char *buf, unsigned long len)
{
	const struct chat_origin	*o = &ctx->origin;

	if (o->user_name != NULL && *o->user_name != '\0')
		snprintf(buf, len, "@%s", o->user_name);
	else
		snprintf(buf, len, "%s:%s", o->platform, o->user_id != NULL ?
		    o->user_id : "?");
	return buf;
}

char *
alert_rest(struct cmd_ctx *ctx, int i)
{
	struct buf	 b;

	if (i >= ctx->args.npos)
		return NULL;
	buf_init(&b);
	for (; i < ctx->args.npos; i++)
		buf_addf(&b, "%s%s", b.len > 0 ? " " : "", ctx->args.pos[i]);
	return buf_detach(&b);
}

struct alerts *
alert_engine(struct cmd_ctx *ctx)
{
	if (ctx->bot->alerts == NULL)
		cmd_error(ctx, "alerts are not running in this bot (see the "
		    "log at start-up)");
	return ctx->bot->alerts;
}
