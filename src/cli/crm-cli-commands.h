/* crm-cli-commands.h: entry points of crmctl's commands, one file each */
#pragma once

#include "crm-cli.h"

G_BEGIN_DECLS

/* Add a command: write src/cli/crm-cli-NAME.c with its entry point, declare
 * it here and list it in the table in crm-cli.c. */

G_END_DECLS
