/* The alert engine's sink in the running bot: its chat adapters. */
#ifndef OPSBOT_ALERTS_POST_H
#define OPSBOT_ALERTS_POST_H

#include "alerts.h"

struct bot;

void	 alerts_sink_for_bot(struct bot *, struct alerts_sink *);

#endif
