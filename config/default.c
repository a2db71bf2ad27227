/*
 * The embedded default: what opsbot runs on with no config file. It goes
 * through the same loader as a file, so it cannot drift from the schema.
 */

#include "config.h"

const char config_default_json[] =
"{\n"
"  // The console on this terminal, the local host, sqlite in ./opsbot-data.\n"
"  \"bot\": {\n"
"    \"name\": \"opsbot\",\n"
"    \"data_dir\": \"./opsbot-data\",\n"
"    \"log_level\": \"info\"\n"
"  },\n"
"  \"chat\": {\n"
"    \"console\": { \"enabled\": true }\n"
"  },\n"
"  \"users\": [\n"
"    // Whoever runs the bot on a terminal already has a shell here.\n"
"    { \"name\": \"console\", \"platform\": \"console\", \"id\": \"*\",\n"
"      \"roles\": [\"admin\"] }\n"
"  ],\n"
"  \"hosts\": [\n"
"    { \"name\": \"localhost\", \"transport\": \"local\",\n"
"      \"tags\": [\"local\"],\n"
"      \"mounts\": [ { \"path\": \"/\" } ],\n"
"      // The bot's own process; its log and data dir mount are added\n"
"      // at start (config_complete_default).\n"
"      \"services\": [ { \"name\": \"opsbot\", \"process\": \"opsbot\" } ] }\n"
"  ]\n"
"}\n";
