/* Quoting input inside error messages (see errtext.h). */

#include <cjson/cJSON.h>
#include <string.h>

#include "errtext.h"

const char *
errtext_json_kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

void
errtext_add(struct buf *b, const char *s, int quoted)
{
	size_t	 len = strlen(s), n = len, i;

	if (n > ERRTEXT_MAX) {
		n = ERRTEXT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	if (quoted)
		buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (quoted && (c == '"' || c == '\\')) {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
	if (quoted)
		buf_addc(b, '"');
	if (n < len)
		buf_adds(b, "...");
}
