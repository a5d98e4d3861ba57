/* ridge-engine-common.c — being written; see src/engine/ridge-engine.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "ridge-engine.h"
