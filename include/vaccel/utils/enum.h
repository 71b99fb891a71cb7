// SPDX-License-Identifier: Apache-2.0
/*
 * X-macro helpers that define an enum together with its string functions,
 * in upstream vAccel's shape (so third-party enums written for upstream
 * compile unchanged).
 *
 * A list macro takes the item macro as its only parameter and names each item
 * once as ITEM(NAME[, value], prefix):
 *   #define MY_LIST(VACCEL_ENUM_ITEM)                                      \
 *           VACCEL_ENUM_ITEM(FIRST, 1, MY) VACCEL_ENUM_ITEM(SECOND, MY)
 * Items without a value follow the previous one. The prefix may itself be a
 * macro (upstream's headers use `#define _ENUM_PREFIX MY`); it is expanded
 * before it is pasted or quoted.
 * VACCEL_ENUM_DEF_WITH_STR_FUNCS(my, MY, MY_LIST) yields
 *   typedef enum { MY_FIRST = 1, MY_SECOND, MY_MAX } my_t;
 *   const char *my_to_str(my_t);       -> "MY_SECOND"  ("MY_MAX" if unknown)
 *   const char *my_to_base_str(my_t);  -> "SECOND"     ("MAX" if unknown)
 *   char *my_name(my_t, char *lower, size_t size) -> "second" (NULL if no
 *   buffer; truncated to size - 1 characters)
 */
#ifndef VACCEL_UTILS_ENUM_H
#define VACCEL_UTILS_ENUM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { VACCEL_ENUM_STR_MAX = 128 };

/* Picks the 3-argument or the 2-argument form of an item. The empty last
 * argument keeps `...` non-empty (ISO C before C23 requires one). */
#define VACCEL_ENUM_GET_MACRO(_1, _2, _3, NAME, ...) NAME
#define VACCEL_ENUM_PICK_(WITH, NO, ...)                                       \
	VACCEL_ENUM_GET_MACRO(__VA_ARGS__, WITH, NO, )(__VA_ARGS__)

/* "PREFIX_NAME", the prefix expanded first. */
#define VACCEL_ENUM_STR(name, prefix) #prefix "_" #name

/* enum items: PREFIX_NAME[ = value], */
#define VACCEL_ENUM_ITEM_NO_VALUE(name, prefix) prefix##_##name
#define VACCEL_ENUM_ITEM_WITH_VALUE(name, value, prefix)                       \
	prefix##_##name = (value)
#define VACCEL_ENUM_ITEM(...)                                                  \
	VACCEL_ENUM_PICK_(VACCEL_ENUM_ITEM_WITH_VALUE,                         \
			  VACCEL_ENUM_ITEM_NO_VALUE, __VA_ARGS__),

/* switch cases returning "PREFIX_NAME" */
#define VACCEL_ENUM_STR_CASE_NO_VALUE(name, prefix)                            \
	case VACCEL_ENUM_ITEM_NO_VALUE(name, prefix):                          \
		return VACCEL_ENUM_STR(name, prefix);
#define VACCEL_ENUM_STR_CASE_WITH_VALUE(name, value, prefix)                   \
	VACCEL_ENUM_STR_CASE_NO_VALUE(name, prefix)
#define VACCEL_ENUM_STR_CASE(...)                                              \
	VACCEL_ENUM_PICK_(VACCEL_ENUM_STR_CASE_WITH_VALUE,                     \
			  VACCEL_ENUM_STR_CASE_NO_VALUE, __VA_ARGS__)

/* switch cases returning "NAME" */
#define VACCEL_ENUM_BASE_STR_CASE_NO_VALUE(name, prefix)                       \
	case VACCEL_ENUM_ITEM_NO_VALUE(name, prefix):                          \
		return #name;
#define VACCEL_ENUM_BASE_STR_CASE_WITH_VALUE(name, value, prefix)              \
	VACCEL_ENUM_BASE_STR_CASE_NO_VALUE(name, prefix)
#define VACCEL_ENUM_BASE_STR_CASE(...)                                         \
	VACCEL_ENUM_PICK_(VACCEL_ENUM_BASE_STR_CASE_WITH_VALUE,                \
			  VACCEL_ENUM_BASE_STR_CASE_NO_VALUE, __VA_ARGS__)

/* The items of LIST followed by PREFIX_MAX (no typedef). */
#define VACCEL_ENUM_DEF_ITEMS(prefix, LIST)                                    \
	LIST(VACCEL_ENUM_ITEM) VACCEL_ENUM_ITEM(MAX, prefix)

/* The functions are marked unused: clang warns about unused static inline
 * functions defined in a .c file (an enum declared next to its plugin). */
#define VACCEL_ENUM_UNUSED_ __attribute__((unused))

#define VACCEL_ENUM_DEF_STR_FUNCS(name, prefix, LIST)                          \
	VACCEL_ENUM_UNUSED_ static inline const char *name##_to_str(           \
		name##_t value)                                                \
	{                                                                      \
		switch (value) {                                               \
			LIST(VACCEL_ENUM_STR_CASE)                             \
		default:                                                       \
			return VACCEL_ENUM_STR(MAX, prefix);                   \
		}                                                              \
	}                                                                      \
	VACCEL_ENUM_UNUSED_ static inline const char *name##_to_base_str(      \
		name##_t value)                                                \
	{                                                                      \
		switch (value) {                                               \
			LIST(VACCEL_ENUM_BASE_STR_CASE)                        \
		default:                                                       \
			return "MAX";                                          \
		}                                                              \
	}                                                                      \
	VACCEL_ENUM_UNUSED_ static inline char *name##_name(                   \
		name##_t value, char *lower, size_t size)                      \
	{                                                                      \
		const char *s = name##_to_base_str(value);                     \
		size_t i = 0;                                                  \
		if (!lower || size == 0)                                       \
			return NULL;                                           \
		for (; s[i] != '\0' && i + 1 < size; i++)                      \
			lower[i] = (s[i] >= 'A' && s[i] <= 'Z') ?              \
					   (char)(s[i] - 'A' + 'a') :          \
					   s[i];                               \
		lower[i] = '\0';                                               \
		return lower;                                                  \
	}

#define VACCEL_ENUM_DEF_WITH_STR_FUNCS(name, prefix, LIST)                     \
	typedef enum { VACCEL_ENUM_DEF_ITEMS(prefix, LIST) } name##_t;         \
	VACCEL_ENUM_DEF_STR_FUNCS(name, prefix, LIST)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_ENUM_H */
