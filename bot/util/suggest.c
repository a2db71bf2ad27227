/*
 * Typo suggestions by Damerau-Levenshtein distance (optimal string
 * alignment), so "helth" finds "health" and "stauts" finds "status".
 */

#include <string.h>

#include "suggest.h"

#define SUGGEST_MAX	100

static int
min3(int a, int b, int c)
{
	int	 m = a < b ? a : b;

	return m < c ? m : c;
}

int
suggest_distance(const char *a, const char *b)
{
	int	 d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	size_t	 la = strlen(a), lb = strlen(b), i, j;
	int	 cost;

	if (la > SUGGEST_MAX || lb > SUGGEST_MAX)
		return SUGGEST_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

const char *
suggest_pick(const char *word, const char *const *candidates)
{
	const char	*best = NULL;
	int		 best_d = SUGGEST_MAX, d, limit;
	size_t		 len = strlen(word);

	/* One typo per three letters, at most two, at least one. */
	limit = (int)(len / 3);
	if (limit < 1)
		limit = 1;
	if (limit > 2)
		limit = 2;
	for (; *candidates != NULL; candidates++) {
		d = suggest_distance(word, *candidates);
		if (d < best_d) {
			best_d = d;
			best = *candidates;
		}
	}
	return best_d <= limit ? best : NULL;
}
