/* Real and fake clocks behind one pair of functions (see clock.h). */

#include <stdatomic.h>
#include <time.h>

#include "clock.h"

static atomic_int	clock_fake;
static _Atomic int64_t	clock_fake_wall;
static _Atomic int64_t	clock_fake_mono;

static int64_t
clock_read(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_now_ms(void)
{
	if (atomic_load(&clock_fake))
		return atomic_load(&clock_fake_wall);
	return clock_read(CLOCK_REALTIME);
}

int64_t
clock_mono_ms(void)
{
	if (atomic_load(&clock_fake))
		return atomic_load(&clock_fake_mono);
	return clock_read(CLOCK_MONOTONIC);
}

void
clock_fake_set(int64_t now_ms)
{
	atomic_store(&clock_fake_wall, now_ms);
	atomic_store(&clock_fake_mono, 0);
	atomic_store(&clock_fake, 1);
}

void
clock_fake_advance(int64_t ms)
{
	atomic_fetch_add(&clock_fake_wall, ms);
	atomic_fetch_add(&clock_fake_mono, ms);
}

void
clock_use_real(void)
{
	atomic_store(&clock_fake, 0);
}

int
clock_is_fake(void)
{
	return atomic_load(&clock_fake);
}
