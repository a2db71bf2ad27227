/*
 * The chat adapters this library provides, for the composition root
 * (main.c) to add to the bot; the core knows only struct chat_ops.
 */
#ifndef OPSBOT_ADAPTERS_H
#define OPSBOT_ADAPTERS_H

#include "chat.h"

extern const struct chat_ops chat_console_ops;
extern const struct chat_ops chat_slack_ops;
extern const struct chat_ops chat_mattermost_ops;

#endif
