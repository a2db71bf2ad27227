/* Error lines counted on the host (see logcount.h). */

#include <stdlib.h>
#include <string.h>

#include "logcount.h"
#include "parse.h"
#include "escape.h"
#include "xmalloc.h"

/* Bytes of each log read from its end: a bound on the host's work. */
#define LOGCOUNT_TAIL		"4194304"

/*
 * POSIX awk (mawk and busybox too: no {n} intervals). Each line becomes
 * the timestamp parse_log_time() would read, without its fraction (so
 * lines of one second group together): ISO 8601 at the start (after
 * blanks and one '['), syslog at the start, or a ts=/time= word. Equal
 * neighbours are counted as one group; the newest K groups are printed
 * after "matched TOTAL" and "last NEWEST-LINE" (its first L bytes).
 */
static const char logcount_awk[] =
    "function iso(s, r, z) {\n"
    "  if (!match(s, /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    "[Tt ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]/)) return \"\"\n"
    "  r = substr(s, 20)\n"
    "  if (match(r, /^[.,][0-9]+/)) r = substr(r, RLENGTH + 1)\n"
    "  z = \"\"\n"
    "  if (match(r, /^([Zz]|[+-][0-9][0-9]:?[0-9]?[0-9]?| UTC| GMT)/))\n"
    "    z = substr(r, 1, RLENGTH)\n"
    "  return substr(s, 1, 19) z\n"
    "}\n"
    "function keep() { g++; c[g % K] = n; t[g % K] = p }\n"
    "{\n"
    "  s = $0; sub(/^[ \\t]*/, \"\", s); sub(/^\\[/, \"\", s)\n"
    "  k = iso(s)\n"
    "  if (k == \"\" && match(s, /^[A-Za-z][A-Za-z][A-Za-z]  ?[0-9][0-9]? "
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/)) k = substr(s, 1, RLENGTH)\n"
    "  for (i = 1; k == \"\" && i <= NF; i++) if ($i ~ /^(ts|time)=/) {\n"
    "    v = $i; sub(/^[a-z]*=\"?/, \"\", v); k = iso(v)\n"
    "    if (k != \"\") k = \"ts=\" k\n"
    "  }\n"
    "  l = $0\n"
    "  if (NR > 1 && k == p) { n++; next }\n"
    "  if (NR > 1) keep()\n"
    "  p = k; n = 1\n"
    "}\n"
    "END {\n"
    "  if (NR > 0) keep()\n"
    "  print \"matched \" NR\n"
    "  if (NR > 0) print \"last \" substr(l, 1, L)\n"
    "  for (i = g > K ? g - K + 1 : 1; i <= g; i++) print c[i % K] \" \" "
    "t[i % K]\n"
    "}\n";

void
logcount_script(struct buf *s, const char *path, const char *pattern)
{
	buf_adds(s, "if [ -r ");
	shquote_buf(s, path);
	buf_adds(s, " ]; then tail -c " LOGCOUNT_TAIL " -- ");
	shquote_buf(s, path);
	buf_adds(s, " | grep -F -e ");
	shquote_buf(s, pattern);
	buf_addf(s, " | awk -v K=%d -v L=%d ", LOGCOUNT_GROUPS,
	    LOGCOUNT_LAST);
	shquote_buf(s, logcount_awk);
	buf_adds(s, "; else printf '%s\\n' 'opsbot: cannot read'; fi\n");
}

/*
 * A line from the host as text that is safe to show: control bytes
 * become '?', and a UTF-8 character cut by substr() is dropped.
 * Caller frees.
 */
static char *
logcount_clean(const char *s, size_t n)
{
	char	*out = xstrndup(s, n);
	size_t	 i, end = strlen(out);

	/* Back off a cut multi-byte character at the end. */
	i = end;
	while (i > 0 && ((unsigned char)out[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && (unsigned char)out[i - 1] >= 0xc0) {
		size_t need = (unsigned char)out[i - 1] >= 0xf0 ? 4 :
		    (unsigned char)out[i - 1] >= 0xe0 ? 3 : 2;

		if (end - (i - 1) < need)
			out[i - 1] = '\0';
	}
	for (i = 0; out[i] != '\0'; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	}
	return out;
}

void
logcount_release(struct logcount *lc)
{
	free(lc->last);
	lc->last = NULL;
}

int
logcount_read(const char *text, int64_t now, int tz_offset_s,
    int64_t window_s, struct logcount *out)
{
	const char	*line, *nl;
	char		*end, *stamp;
	long long	 n, shown = 0;
	int64_t		 when;

	memset(out, 0, sizeof *out);
	if (strncmp(text, "matched ", 8) != 0)
		return -1;
	n = strtoll(text + 8, &end, 10);
	if (end == text + 8 || *end != '\n' || n < 0)
		return -1;
	out->matched = n;
	line = end + 1;
	if (strncmp(line, "last ", 5) == 0) {
		if ((nl = strchr(line, '\n')) == NULL)
			return -1;
		out->last = logcount_clean(line + 5, (size_t)(nl - line - 5));
		line = nl + 1;
	}
	for (; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			return -1;	/* cut short */
		n = strtoll(line, &end, 10);
		if (end == line || *end != ' ' || n < 1)
			return -1;
		stamp = xstrndup(end + 1, (size_t)(nl - end - 1));
		if (stamp[0] == '\0' ||
		    parse_log_time(stamp, now, tz_offset_s, &when) != 0)
			out->untimed += n;
		else if (when >= now - window_s)
			out->counted += n;
		free(stamp);
		shown += n;
	}
	out->partial = shown < out->matched;
	return 0;
}
