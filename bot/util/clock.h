/*
 * The one source of time. Everything that waits or stamps (audit rows,
 * uptime, later the scheduler and backoff) asks here, so tests can freeze
 * and advance time instead of sleeping.
 */
#ifndef OPSBOT_CLOCK_H
#define OPSBOT_CLOCK_H

#include <stdint.h>

/* Wall-clock milliseconds since the Unix epoch. */
int64_t	 clock_now_ms(void);
/* Monotonic milliseconds; only differences mean anything. */
int64_t	 clock_mono_ms(void);

/*
 * Tests: freeze both clocks at wall time now_ms (the monotonic clock
 * starts at 0); they move only through clock_fake_advance().
 */
void	 clock_fake_set(int64_t now_ms);
void	 clock_fake_advance(int64_t ms);
void	 clock_use_real(void);
int	 clock_is_fake(void);

#endif
