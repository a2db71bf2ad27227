/*
 * The one civil-date module: days to and from the proleptic Gregorian
 * calendar, no time zones (H. Hinnant's algorithms). Time zones live in
 * cron.c, which calls these.
 */
#ifndef OPSBOT_CIVIL_H
#define OPSBOT_CIVIL_H

#include <stdint.h>

/* a / b rounded toward minus infinity (b > 0). */
int64_t	 civil_floor_div(int64_t a, int64_t b);
int	 civil_is_leap(int64_t year);
/* Days in month m (1-12) of year. */
int	 civil_days_in_month(int64_t year, int m);
/* Days from 1970-01-01 to y-m-d (negative before). */
int64_t	 civil_days_from(int64_t y, int m, int d);
/* The date of a day counted from 1970-01-01. */
void	 civil_from_days(int64_t days, int64_t *y, int *m, int *d);

#endif
