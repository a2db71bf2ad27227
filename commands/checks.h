/*
 * The bot's own checks (checks.c): every alerts.checks.interval, the
 * /health probe on every inventory host, its findings turned into alerts
 * through the same engine as webhooks. Hysteresis: a finding fires after
 * fire_after bad rounds in a row and resolves after resolve_after good
 * ones, so one flaky probe pages nobody.
 */
#ifndef OPSBOT_CHECKS_H
#define OPSBOT_CHECKS_H

#include "health.h"

struct bot;
struct bot_service;
struct checks;
struct alert_batch;

/* The own checks as a service of the bot (main.c adds it). */
extern const struct bot_service checks_service;
/* Starts the timer; NULL if checks are off or there are no hosts. */
struct checks *checks_start(struct bot *);
void	 checks_free(struct checks *);
/*
 * A reload: the thresholds of cfg from the next round on (hosts and the
 * interval are read from bot->cfg each round anyway).
 */
void	 checks_set_config(struct checks *, const struct config *);

/*
 * One round's findings for host (pure, for tests): updates the streaks
 * and appends to batch the alerts that fire, repeat or resolve. The
 * batch's strings are owned by the batch (alert_batch_release).
 */
void	 checks_apply(struct checks *, const char *host,
	    const struct health_findings *, int64_t now_ms,
	    struct alert_batch *batch);
/* A bare state machine for unit tests (no bot, no timer). */
struct checks *checks_new_for_test(int fire_after, int resolve_after);

#endif
