/* main.c: the crm desktop application */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-application.h"
#include "crm-runtime.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(CrmApplication) app = NULL;

  crm_runtime_init ();

  app = crm_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
