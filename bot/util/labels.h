/*
 * Label sets and matchers, in Alertmanager's spirit. A label set is a
 * name -> value list kept sorted by name (names unique); the alert
 * engine, the routing tree, silences and the webhook parsers share it.
 *
 * Matchers are what people type in /silence and what routes hold:
 *   name=value  name!=value  name=~regex  name!~regex
 * Values may be double-quoted ("a b", with \" and \\ escapes). Regexes
 * are POSIX extended and anchored at both ends, as Alertmanager's are.
 */
#ifndef OPSBOT_LABELS_H
#define OPSBOT_LABELS_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

struct label {
	char	*name;
	char	*value;
};

struct labels {
	struct label	*v;		/* sorted by name */
	size_t		 n;
};

/* Sets name to value (copies both), replacing an existing value. */
void	 labels_set(struct labels *, const char *name, const char *value);
/* The value of name, or NULL. */
const char *labels_get(const struct labels *, const char *name);
/* Deep copy into *dst (which is overwritten, not freed). */
void	 labels_copy(struct labels *dst, const struct labels *src);
void	 labels_release(struct labels *);
/* Equal names and values. */
int	 labels_equal(const struct labels *, const struct labels *);
/*
 * A stable identity for the set: FNV-1a 64 over name\xff value\xff for
 * each label in name order, written as 16 lowercase hex digits into
 * out (17 bytes).
 */
void	 labels_fingerprint(const struct labels *, char out[17]);
/* {"a":"1","b":"2"} — caller frees. */
char	*labels_to_json(const struct labels *);
/* Parses a JSON object of strings; 0, or -1 and *cause (caller frees). */
int	 labels_from_json(const char *json, struct labels *out, char **cause);
/* a="1", b="2" for people — caller frees. */
char	*labels_to_text(const struct labels *);

enum matcher_op {
	MATCH_EQ,	/* = */
	MATCH_NE,	/* != */
	MATCH_RE,	/* =~ */
	MATCH_NRE,	/* !~ */
};

struct matcher {
	char		*name;
	char		*value;
	enum matcher_op	 op;
	regex_t		 re;		/* for MATCH_RE / MATCH_NRE */
	int		 has_re;
};

struct matchers {
	struct matcher	*v;
	size_t		 n;
};

/*
 * Parses one matcher ("severity=~\"crit|warn\""). Returns 0, or -1 and
 * *cause (caller frees) saying what is wrong, e.g.
 * "host=~\"db(\": bad regex: unmatched parenthesis".
 */
int	 matcher_parse(const char *text, struct matcher *out, char **cause);
/* Adds a matcher built from parts (the routing config); 0 or -1, *cause. */
int	 matchers_add(struct matchers *, const char *name, enum matcher_op,
	    const char *value, char **cause);
/*
 * Parses words until the first that is not a matcher; returns how many
 * were taken (0 or more), or -1 and *cause when a word looks like a
 * matcher (has =, !=, =~ or !~ after a name) but is malformed.
 */
int	 matchers_parse_words(char *const *words, size_t nwords,
	    struct matchers *out, char **cause);
/* All matchers hold for the labels (an absent label is ""). */
int	 matchers_match(const struct matchers *, const struct labels *);
/* name=value,name=~"re" — caller frees. */
char	*matchers_to_text(const struct matchers *);
/* [{"name":..,"op":"=~","value":..}] — caller frees; and back. */
char	*matchers_to_json(const struct matchers *);
int	 matchers_from_json(const char *json, struct matchers *out,
	    char **cause);
void	 matchers_release(struct matchers *);

#endif /* OPSBOT_LABELS_H */
