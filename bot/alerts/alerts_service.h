/*
 * The alert engine and its webhook intake as a service of the running bot
 * (bot.h: struct bot_service); main.c adds it.
 */
#ifndef OPSBOT_ALERTS_SERVICE_H
#define OPSBOT_ALERTS_SERVICE_H

#include "bot.h"

extern const struct bot_service alerts_service;

#endif
