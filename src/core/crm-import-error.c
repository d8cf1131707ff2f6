/* crm-import-error.c: the error domain of import, export, dedupe and merge */

#include "config.h"

#include "crm-import-error.h"

G_DEFINE_QUARK (crm-import-error-quark, crm_import_error)
