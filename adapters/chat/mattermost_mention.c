/*
 * Mentions of the bot, matched as Mattermost matches them: the username
 * in any case ("@OpsBot"), ended by anything that cannot continue a
 * username, trailing punctuation included ("@opsbot, health prod",
 * "@opsbot: status", "@opsbot!"). "@opsbot.dev" and "@opsbot_2" are other
 * users.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mattermost_int.h"

/* A character a Mattermost username can hold besides a final '.'. */
static int
mm_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

char *
mm_mention_strip(const char *msg, const char *username)
{
	size_t		 ulen = strlen(username), i, j;
	struct buf	 b;

	if (ulen == 0)
		return NULL;
	for (i = 0; msg[i] != '\0'; i++) {
		if (msg[i] != '@' || (i > 0 && (mm_name_char(msg[i - 1]) ||
		    msg[i - 1] == '.')) ||
		    strncasecmp(msg + i + 1, username, ulen) != 0)
			continue;
		j = i + 1 + ulen;
		if (mm_name_char(msg[j]))
			continue;
		/* "@opsbot.dev" is someone else; "@opsbot." is us. */
		if (msg[j] == '.') {
			size_t k = j;

			while (msg[k] == '.')
				k++;
			if (mm_name_char(msg[k]))
				continue;
		}
		while (msg[j] != '\0' && strchr(".,:;!?", msg[j]) != NULL)
			j++;
		buf_init(&b);
		buf_add(&b, msg, i);
		buf_adds(&b, msg + j);
		return buf_detach(&b);
	}
	return NULL;
}
