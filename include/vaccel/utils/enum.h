// SPDX-License-Identifier: Apache-2.0
/*
 * X-macro helpers that define an enum together with its string functions.
 *
 * A list macro takes an item macro X and a prefix p, and names each item once:
 *   #define MY_LIST(X, p) X(p, FIRST, 1) X(p, SECOND) X(p, THIRD)
 * An item may carry an explicit value (third argument); others follow
 * sequentially. VACCEL_ENUM_DEF_WITH_STR_FUNCS(my, MY, MY_LIST) yields
 *   typedef enum { MY_FIRST = 1, MY_SECOND, MY_THIRD, MY_MAX } my_t;
 *   const char *my_to_str(my_t);       -> "MY_SECOND"  ("MY_MAX" if unknown)
 *   const char *my_to_base_str(my_t);  -> "SECOND"     ("MAX" if unknown)
 *   char *my_name(my_t, char *lower, size_t size) -> "second" (NULL if no buffer)
 */
#ifndef VACCEL_UTILS_ENUM_H
#define VACCEL_UTILS_ENUM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { VACCEL_ENUM_STR_MAX = 128 };

#define VACCEL_ENUM_GET_MACRO(_1, _2, _3, NAME, ...) NAME

#define VACCEL_ENUM_ITEM_NO_VALUE(prefix, item) prefix##_##item,
#define VACCEL_ENUM_ITEM_WITH_VALUE(prefix, item, value) prefix##_##item = (value),
#define VACCEL_ENUM_ITEM(...)                                                  \
	VACCEL_ENUM_GET_MACRO(__VA_ARGS__, VACCEL_ENUM_ITEM_WITH_VALUE,        \
			      VACCEL_ENUM_ITEM_NO_VALUE, )                     \
	(__VA_ARGS__)

#define VACCEL_ENUM_STR_CASE_NO_VALUE(prefix, item)                            \
	case prefix##_##item:                                                  \
		return #prefix "_" #item;
#define VACCEL_ENUM_STR_CASE_WITH_VALUE(prefix, item, value)                   \
	VACCEL_ENUM_STR_CASE_NO_VALUE(prefix, item)
#define VACCEL_ENUM_STR_CASE(...)                                              \
	VACCEL_ENUM_GET_MACRO(__VA_ARGS__, VACCEL_ENUM_STR_CASE_WITH_VALUE,    \
			      VACCEL_ENUM_STR_CASE_NO_VALUE, )                 \
	(__VA_ARGS__)

#define VACCEL_ENUM_BASE_STR_CASE_NO_VALUE(prefix, item)                       \
	case prefix##_##item:                                                  \
		return #item;
#define VACCEL_ENUM_BASE_STR_CASE_WITH_VALUE(prefix, item, value)              \
	VACCEL_ENUM_BASE_STR_CASE_NO_VALUE(prefix, item)
#define VACCEL_ENUM_BASE_STR_CASE(...)                                         \
	VACCEL_ENUM_GET_MACRO(__VA_ARGS__,                                     \
			      VACCEL_ENUM_BASE_STR_CASE_WITH_VALUE,            \
			      VACCEL_ENUM_BASE_STR_CASE_NO_VALUE, )            \
	(__VA_ARGS__)

#define VACCEL_ENUM_STR(x) #x

#define VACCEL_ENUM_DEF_ITEMS(name, prefix, LIST)                              \
	typedef enum { LIST(VACCEL_ENUM_ITEM, prefix) prefix##_MAX } name##_t;

#define VACCEL_ENUM_DEF_STR_FUNCS(name, prefix, LIST)                          \
	static inline const char *name##_to_str(name##_t value)                \
	{                                                                      \
		switch (value) {                                               \
			LIST(VACCEL_ENUM_STR_CASE, prefix)                     \
		default:                                                       \
			return #prefix "_MAX";                                 \
		}                                                              \
	}                                                                      \
	static inline const char *name##_to_base_str(name##_t value)           \
	{                                                                      \
		switch (value) {                                               \
			LIST(VACCEL_ENUM_BASE_STR_CASE, prefix)                \
		default:                                                       \
			return "MAX";                                          \
		}                                                              \
	}                                                                      \
	static inline char *name##_name(name##_t value, char *lower,           \
					size_t size)                           \
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
	VACCEL_ENUM_DEF_ITEMS(name, prefix, LIST)                              \
	VACCEL_ENUM_DEF_STR_FUNCS(name, prefix, LIST)

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_UTILS_ENUM_H */
