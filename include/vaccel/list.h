// SPDX-License-Identifier: Apache-2.0
#ifndef VACCEL_LIST_H
#define VACCEL_LIST_H

#ifdef __cplusplus
extern "C" {
#endif

/* Intrusive doubly linked list entry; a list head is an entry too. */
struct vaccel_list_entry {
	struct vaccel_list_entry *next;
	struct vaccel_list_entry *prev;
};

/* Self-linked (empty) initializer: struct vaccel_list_entry l = LIST_ENTRY_INIT(l); */
#define LIST_ENTRY_INIT(name) {&(name), &(name)}

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_LIST_H */
