/*
 * The cost guard for POSIX regexes a person types (see regex_guard.h):
 * refuses before regcomp() what glibc would take gigabytes to compile or
 * exponential time to match. Its user is matcher_build() in labels.c.
 */

#include <ctype.h>
#include <string.h>

#include "buf.h"
#include "regex_guard.h"

/*
 * Regex limits, because glibc's regcomp() is easy to make explode and
 * a matcher is typed by anyone who may /silence. It copies the subtree
 * under x+ and x{n,m}, so "((a{255}){255}){255}" or "a++++++++++++++++"
 * cost gigabytes: the size after those copies is estimated and capped.
 * A loop over something that can match nothing ("(a*)*", "(x|)+",
 * "(()*){50}") takes it exponential time, so that is refused, as are
 * back-references (a glibc extension in ERE; exponential to match).
 */
#define MATCHER_RE_MAX_LEN	1024
#define MATCHER_RE_MAX_NODES	4096UL

/* A repetition: how many copies glibc makes, and what it may match. */
struct re_rep {
	unsigned long	 copies;
	int		 min_zero;	/* may repeat zero times */
	int		 unbounded;	/* *, + or {n,} */
};

/*
 * The interval at *pp ('{'): {n}, {n,}, {n,m}, or glibc's {,m} and {,}.
 * Returns 0 and moves *pp to the '}', or -1 when it is not an interval,
 * which glibc reads as a literal {.
 */
static int
regex_interval(const char **pp, struct re_rep *r)
{
	const char	*p = *pp + 1;
	unsigned long	 n = 0, m = 0;
	int		 have_n = 0, have_m = 0, comma = 0;

	for (; isdigit((unsigned char)*p); p++, have_n = 1) {
		if (n <= MATCHER_RE_MAX_NODES)
			n = n * 10 + (unsigned long)(*p - '0');
	}
	if (*p == ',') {
		comma = 1;
		for (p++; isdigit((unsigned char)*p); p++, have_m = 1) {
			if (m <= MATCHER_RE_MAX_NODES)
				m = m * 10 + (unsigned long)(*p - '0');
		}
	}
	if (*p != '}' || (!have_n && !have_m && !comma))
		return -1;
	*pp = p;
	r->min_zero = n == 0;
	r->unbounded = comma && !have_m;
	r->copies = r->unbounded ? n + 1 : (m > n ? m : n);
	if (r->copies == 0)
		r->copies = 1;
	return 0;
}

/* Skips a bracket expression starting at p ('['); returns its end. */
static const char *
regex_skip_bracket(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0' && *p != ']'; p++) {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' ||
		    p[1] == '=')) {
			char		 close = p[1];
			const char	*q;

			for (q = p + 2; *q != '\0'; q++) {
				if (q[0] == close && q[1] == ']')
					break;
			}
			if (*q == '\0')
				return q - 1;
			p = q + 1;
		}
	}
	return *p == '\0' ? p - 1 : p;
}

/* One open group (or the whole regex) while its cost is estimated. */
struct re_level {
	unsigned long	 total;		/* size of its pieces so far */
	unsigned long	 last;		/* size of the last piece; 0: none */
	int		 last_nullable;	/* the last piece can match "" */
	int		 last_repeated;	/* ... and is a repetition already */
	int		 before;	/* the pieces before it all can */
	int		 nullable;	/* a finished branch can */
};

static void
re_level_init(struct re_level *l)
{
	l->total = l->last = 0;
	l->last_nullable = 0;
	l->before = 1;
	l->nullable = 0;
}

/* Adds a piece of the given size to the level's current branch. */
static void
re_level_piece(struct re_level *l, unsigned long size, int nullable)
{
	l->before = l->before && (l->last == 0 || l->last_nullable);
	l->last = size;
	l->last_nullable = nullable;
	l->last_repeated = 0;
	l->total += size;
}

/*
 * Refuses a regex that would be too costly to compile or to run, or
 * that would escape the anchors with a lone ). The
 * size is estimated as glibc builds it: a piece is 1, x* and x? add
 * one, x+ is two copies of x, x{n,m} max(n,m) copies, a group the sum
 * of its pieces; an unclosed group counts too, since glibc copies as it
 * parses, before it finds the error. Whether each piece can match ""
 * is tracked to refuse loops over such pieces.
 */
const char *
regex_guard_check(const char *re)
{
	struct re_level	 lv[MATCHER_RE_MAX_LEN + 1], *l;
	struct re_rep	 rep;
	const char	*p;
	unsigned long	 all = 0;	/* the open levels' sum */
	size_t		 d = 0;
	int		 nullable;

	if (strlen(re) > MATCHER_RE_MAX_LEN)
		return "regex is too long (the limit is 1024 bytes)";
	re_level_init(&lv[0]);
	for (p = re; *p != '\0'; p++) {
		l = &lv[d];
		all -= l->total;
		memset(&rep, 0, sizeof rep);
		switch (*p) {
		case '(':
			all += l->total;
			re_level_init(&lv[++d]);
			continue;
		case ')':
			/*
			 * glibc takes a lone ) as a literal, but inside our
			 * ^( )$ it would close the anchoring group.
			 */
			if (d == 0)
				return "bad regex: unmatched ) (write \\) for "
				    "a literal one)";
			nullable = l->nullable || (l->before &&
			    (l->last == 0 || l->last_nullable));
			l = &lv[--d];
			all -= l->total;
			re_level_piece(l, lv[d + 1].total + 1, nullable);
			break;
		case '|':
			l->nullable = l->nullable || (l->before &&
			    (l->last == 0 || l->last_nullable));
			l->before = 1;
			l->last = 0;
			break;
		case '^':
		case '$':
			re_level_piece(l, 1, 1);
			break;
		case '\\':
			if (isdigit((unsigned char)p[1]))
				return "back-references are not supported";
			if (p[1] == '\0') {
				re_level_piece(l, 1, 0);
				break;
			}
			p++;
			/* Word anchors match between characters. */
			re_level_piece(l, 1, strchr("bB<>`'", *p) != NULL);
			break;
		case '[':
			p = regex_skip_bracket(p);
			re_level_piece(l, 1, 0);
			break;
		case '*':
		case '?':
		case '+':
			rep.copies = *p == '+' ? 2 : 1;
			rep.min_zero = *p != '+';
			rep.unbounded = *p != '?';
			break;
		case '{':
			if (regex_interval(&p, &rep) != 0)
				re_level_piece(l, 1, 0);
			else if (rep.copies == 0 && l->last != 0)
				l->last_nullable = 1;	/* x{0}: matches "" */
			break;
		default:
			re_level_piece(l, 1, 0);
			break;
		}
		if (rep.copies != 0 && l->last == 0)
			re_level_piece(l, 1, 0);	/* nothing to repeat */
		else if (rep.copies != 0) {
			/*
			 * A repetition of a repetition of what can match
			 * nothing, even bounded ((a{0}){,21}{29}), sends
			 * glibc's epsilon closures exponential in time and
			 * memory (found by fuzz-matchers).
			 */
			/*
			 * So does an optional over an optional: "()??????"
			 * in "(()???????x*){50}" (found by fuzz-matchers):
			 * what can match nothing is repeated once at most.
			 */
			if (l->last_nullable && (rep.unbounded ||
			    l->last_repeated))
				return "regex loops over something that can "
				    "match nothing, like (a*)* or (x|)+";
			l->total -= l->last;
			l->last = l->last * rep.copies + 1;
			l->last_nullable = l->last_nullable || rep.min_zero;
			l->last_repeated = 1;
			l->total += l->last;
		}
		all += l->total;
		if (all > MATCHER_RE_MAX_NODES || l->last > MATCHER_RE_MAX_NODES)
			return "regex is too complex (its repetitions expand "
			    "it past 4096 pieces)";
	}
	return NULL;
}

/* Lowercases the first letter of a regerror() message for our style. */
void
regex_guard_error(struct buf *b, int rc, const regex_t *re)
{
	char	 msg[128];

	regerror(rc, re, msg, sizeof msg);
	msg[0] = (char)tolower((unsigned char)msg[0]);
	buf_addf(b, "bad regex: %s", msg);
}
