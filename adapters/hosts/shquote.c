/*
 * POSIX shell quoting (see shquote.h). Single quotes make every byte
 * literal except the single quote itself, which is closed, escaped and
 * reopened. Audited: tests/unit/test-shquote.c runs hostile strings
 * through a real /bin/sh and checks they come back byte for byte.
 */

#include "shquote.h"

void
shquote_buf(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}
