/* crmctl.c: scripted access to the CRM without a display */

#include "crm-cli.h"

int
main (int    argc,
      char **argv)
{
  return crm_cli_main (argc, argv);
}
