/* Log line formats (see log_format.h). */

#include <cjson/cJSON.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "log_format.h"

void
log_format_line(struct buf *out, int json, const char *ts, const char *level,
    const char *comp, const char *msg, const char *const *kv, size_t nkv)
{
	cJSON	*o;
	char	*text;
	size_t	 i;

	if (json) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "ts", ts);
		cJSON_AddStringToObject(o, "level", level);
		cJSON_AddStringToObject(o, "comp", comp);
		cJSON_AddStringToObject(o, "msg", msg);
		for (i = 0; i + 1 < nkv; i += 2)
			cJSON_AddStringToObject(o, kv[i], kv[i + 1] != NULL ?
			    kv[i + 1] : "-");
		text = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (text != NULL)
			buf_adds(out, text);
		cJSON_free(text);
		buf_addc(out, '\n');
		return;
	}
	/* msg is always quoted: a reader can rely on msg="...". */
	buf_addf(out, "ts=%s level=%s comp=%s msg=\"", ts, level, comp);
	if (*msg != '\0') {
		struct buf	 q;

		buf_init(&q);
		escape_logfmt(&q, msg);
		/* Strip the quotes a bare value would not have had. */
		if (q.data[0] == '"')
			buf_add(out, q.data + 1, q.len - 2);
		else
			buf_add(out, q.data, q.len);
		buf_release(&q);
	}
	buf_addc(out, '"');
	for (i = 0; i + 1 < nkv; i += 2) {
		buf_addf(out, " %s=", kv[i]);
		escape_logfmt(out, kv[i + 1] != NULL ? kv[i + 1] : "-");
	}
	buf_addc(out, '\n');
}
