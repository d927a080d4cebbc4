// SPDX-License-Identifier: MIT
//
// toa/result.hpp - the error channel of libtoa: a value or an errno.
//
// libtoa never throws for an expected outcome ("no TOA option", "module not
// loaded" are values, see peer.hpp); system errors come back as a
// std::error_code in std::generic_category(), so `r.error() ==
// std::errc::permission_denied` and `r.error().value() == EPERM` both work.
// Only value() on an error throws (std::system_error), for callers who
// prefer exceptions.
#pragma once

#include <cerrno>
#include <optional>
#include <system_error>
#include <utility>

namespace toa {

// An errno as a std::error_code.
inline std::error_code errno_code(int e) noexcept
{
	return std::error_code(e, std::generic_category());
}

template <class T>
class [[nodiscard]] result {
public:
	result(T value) : value_(std::move(value)) {}
	result(std::error_code ec) : ec_(ec) {}

	bool ok() const noexcept { return !ec_; }
	explicit operator bool() const noexcept { return ok(); }
	std::error_code error() const noexcept { return ec_; }

	const T &value() const &
	{
		check();
		return *value_;
	}
	T &value() &
	{
		check();
		return *value_;
	}
	T &&value() &&
	{
		check();
		return std::move(*value_);
	}
	const T &operator*() const & { return value(); }
	T &operator*() & { return value(); }
	const T *operator->() const { return &value(); }
	T *operator->() { return &value(); }

private:
	void check() const
	{
		if (ec_)
			throw std::system_error(ec_);
	}

	std::optional<T> value_;
	std::error_code ec_;
};

template <>
class [[nodiscard]] result<void> {
public:
	result() = default;
	result(std::error_code ec) : ec_(ec) {}

	bool ok() const noexcept { return !ec_; }
	explicit operator bool() const noexcept { return ok(); }
	std::error_code error() const noexcept { return ec_; }
	void value() const
	{
		if (ec_)
			throw std::system_error(ec_);
	}

private:
	std::error_code ec_;
};

// True for the error that means "toa.ko is not loaded": ENOPROTOOPT, which
// is what the kernel answers for the getsockopt API without the module,
// and what toa::control reports when the genl family "toa" does not exist.
inline bool is_module_missing(std::error_code ec) noexcept
{
	return ec == std::errc::no_protocol_option;
}

} // namespace toa
