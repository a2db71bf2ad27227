/*
 * Secret redaction for host output and for what users type (see
 * redact.h). Patterns, not a
 * parser: a key from the list followed by = or : (optionally quoted)
 * loses its value up to the next space, quote, comma or semicolon.
 */

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "redact.h"
#include "xmalloc.h"

#define REDACTED	"[REDACTED]"

static const char *const redact_keys[] = {
	"password", "passwd", "pwd", "secret", "token", "api_key", "apikey",
	"api-key", "access_key", "private_key", "client_secret", "credentials",
	NULL
};

static int
redact_is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Length of a key from the list at p (matching whole words), or 0. */
static size_t
redact_key_at(const char *text, const char *p)
{
	const char *const	*k;
	size_t			 n;

	/* DB_PASSWORD and x-api-key count; "mypassword" does not. */
	if (p > text && isalnum((unsigned char)p[-1]))
		return 0;
	for (k = redact_keys; *k != NULL; k++) {
		/* The keys are lower case: the first byte rules most out. */
		if (tolower((unsigned char)*p) != **k)
			continue;
		n = strlen(*k);
		if (strncasecmp(p, *k, n) == 0) {
			/* Allow suffixes like password_hash=, db_token=. */
			while (redact_is_word(p[n]))
				n++;
			return n;
		}
	}
	return 0;
}

static int
redact_value_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '"' ||
	    c == '\'' || c == ',' || c == ';' || c == '&' || c == '}';
}

/*
 * Does the word at p look like a credential, not prose ("a wrong bearer
 * token")? Short all-lowercase words are prose.
 */
static int
redact_credential(const char *p)
{
	size_t	 n;

	for (n = 0; !redact_value_end(p[n]); n++) {
		if (!islower((unsigned char)p[n]))
			return 1;
	}
	return n >= 8;
}

/*
 * At "://": the password of a URL's user info (postgres://u:PW@db/x)
 * is replaced; returns the bytes consumed, or 0 when there is none.
 */
static size_t
redact_url_password(struct buf *b, const char *p)
{
	const char	*user = p + 3, *q, *colon = NULL;

	for (q = user; *q != '\0' && *q != '@' && *q != '/' && *q != '?' &&
	    *q != '#' && !isspace((unsigned char)*q) && *q != '"' &&
	    *q != '\'' && *q != '<' && *q != '>'; q++) {
		if (*q == ':' && colon == NULL)
			colon = q;
	}
	if (*q != '@' || colon == NULL)
		return 0;
	buf_add(b, p, (size_t)(colon + 1 - p));
	buf_adds(b, REDACTED);
	return (size_t)(q - p);
}

/*
 * The bytes that may begin something redact_patterns() looks for: the
 * keys' first letters (either case), ':' of "://", "authorization:",
 * "bearer " and 'x' of Slack's tokens. Every answer and every typed
 * line passes here, and comparing each pattern at each byte was a
 * quarter of a trivial command's CPU: the runs of other bytes are
 * copied whole. Built from redact_keys so a new key cannot be missed.
 */
static unsigned char	redact_start[256];
static pthread_once_t	redact_start_once = PTHREAD_ONCE_INIT;

static void
redact_start_init(void)
{
	const char *const	*k;
	const char		*c;

	for (k = redact_keys; *k != NULL; k++) {
		redact_start[(unsigned char)tolower((unsigned char)**k)] = 1;
		redact_start[(unsigned char)toupper((unsigned char)**k)] = 1;
	}
	for (c = ":aAbBx"; *c != '\0'; c++)
		redact_start[(unsigned char)*c] = 1;
}

char *
redact_patterns(const char *text)
{
	struct buf	 b;
	const char	*p = text, *q;
	size_t		 k;
	int		 c;

	pthread_once(&redact_start_once, redact_start_init);
	buf_init(&b);
	while (*p != '\0') {
		if (!redact_start[(unsigned char)*p]) {
			for (q = p + 1; *q != '\0' &&
			    !redact_start[(unsigned char)*q]; q++)
				;
			buf_add(&b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		c = tolower((unsigned char)*p);
		if (c == ':' && strncmp(p, "://", 3) == 0 &&
		    (k = redact_url_password(&b, p)) != 0) {
			p += k;
			continue;
		}
		/* Authorization: anything to the end of the line. */
		if (c == 'a' && strncasecmp(p, "authorization:", 14) == 0) {
			buf_add(&b, p, 14);
			buf_adds(&b, " " REDACTED);
			p += 14;
			while (*p != '\0' && *p != '\n')
				p++;
			continue;
		}
		if (c == 'b' && strncasecmp(p, "bearer ", 7) == 0 &&
		    redact_credential(p + 7)) {
			buf_add(&b, p, 7);
			buf_adds(&b, REDACTED);
			for (p += 7; !redact_value_end(*p); p++)
				;
			continue;
		}
		/* Slack tokens: xoxb-, xoxp-, xapp- ... */
		if (c == 'x' && ((strncmp(p, "xox", 3) == 0 && p[3] != '\0' &&
		    p[4] == '-') || strncmp(p, "xapp-", 5) == 0)) {
			buf_adds(&b, REDACTED);
			while (!redact_value_end(*p))
				p++;
			continue;
		}
		if ((k = redact_key_at(text, p)) != 0) {
			q = p + k;
			if (*q == '"' || *q == '\'')
				q++;
			while (*q == ' ')
				q++;
			if (*q == '=' || *q == ':') {
				q++;
				while (*q == ' ')
					q++;
				if (*q == '"' || *q == '\'')
					q++;
				buf_add(&b, p, (size_t)(q - p));
				if (!redact_value_end(*q))
					buf_adds(&b, REDACTED);
				while (!redact_value_end(*q))
					q++;
				p = q;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	return buf_detach(&b);
}

char *
redact_text(const char *text)
{
	char	*patterns = redact_patterns(text), *out;

	/* And whatever the config registered as a secret. */
	out = log_redact(patterns);
	free(patterns);
	return out;
}
