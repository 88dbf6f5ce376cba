// SPDX-License-Identifier: Apache-2.0
//! error.rs - [`IfaceError`]: a negative errno of the library, with its message

#![forbid(unsafe_code)]

use std::fmt;
use std::io;

use crate::sys::errno;

/// An error of libsquibnet: what failed, and the library's own message
/// (which input, what is wrong, what to do).
///
/// Every variant carries the message; [`IfaceError::errno`] gives the errno
/// the C call returned. Compared with squib-net 0.2.0, whose variants had
/// no data, a `match` on `IfaceError::NotSupported` becomes
/// `IfaceError::NotSupported { .. }`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IfaceError {
    /// The mode cannot run on this platform or build (`-ENOTSUP`); the
    /// message names the modes that do work here. Also a run-time control
    /// the interface was not started ready for, or a mode lacks
    /// (`-EOPNOTSUPP`), the message saying which.
    NotSupported {
        /// the library's message
        message: String,
    },
    /// A parameter or argument was refused (`-EINVAL`); the message names
    /// it and says what is allowed.
    Invalid {
        /// the library's message (or this crate's, for a string with a NUL)
        message: String,
    },
    /// The backend did not come up within the start timeout (`-ETIMEDOUT`).
    Timeout {
        /// the library's message
        message: String,
    },
    /// The frame waiting to be read does not fit the first buffer
    /// (`-EMSGSIZE`); it stays queued. Give a buffer of `needed` bytes, or
    /// of [`crate::FRAME_MAX`], which always fits.
    FrameTooLarge {
        /// bytes the waiting frame needs
        needed: usize,
        /// the library's message
        message: String,
    },
    /// The link is down and nothing was consumed (`-ENETDOWN`).
    LinkDown {
        /// the library's message
        message: String,
    },
    /// The interface was stopped (`-ESHUTDOWN`).
    Stopped {
        /// the library's message
        message: String,
    },
    /// Any other errno, from the backend's system calls.
    Os {
        /// the positive errno
        errno: i32,
        /// the library's message
        message: String,
    },
}

impl IfaceError {
    /// from_errno() - the variant for a positive `errno`
    pub(crate) fn from_errno(errno: i32, message: String, needed: Option<usize>) -> Self {
        match errno {
            // EOPNOTSUPP is ENOTSUP on Linux, not on macOS
            e if e == errno::ENOTSUP || e == errno::EOPNOTSUPP => {
                IfaceError::NotSupported { message }
            }
            errno::EINVAL => IfaceError::Invalid { message },
            errno::ETIMEDOUT => IfaceError::Timeout { message },
            errno::EMSGSIZE => IfaceError::FrameTooLarge {
                needed: needed.unwrap_or(0),
                message,
            },
            errno::ENETDOWN => IfaceError::LinkDown { message },
            errno::ESHUTDOWN => IfaceError::Stopped { message },
            _ => IfaceError::Os { errno, message },
        }
    }

    /// The errno the C call returned (positive), e.g. `EINVAL`.
    #[must_use]
    pub fn errno(&self) -> i32 {
        match self {
            IfaceError::NotSupported { .. } => errno::ENOTSUP,
            IfaceError::Invalid { .. } => errno::EINVAL,
            IfaceError::Timeout { .. } => errno::ETIMEDOUT,
            IfaceError::FrameTooLarge { .. } => errno::EMSGSIZE,
            IfaceError::LinkDown { .. } => errno::ENETDOWN,
            IfaceError::Stopped { .. } => errno::ESHUTDOWN,
            IfaceError::Os { errno, .. } => *errno,
        }
    }

    /// The message: which input, what is wrong. Empty only if the library
    /// gave none.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            IfaceError::NotSupported { message }
            | IfaceError::Invalid { message }
            | IfaceError::Timeout { message }
            | IfaceError::FrameTooLarge { message, .. }
            | IfaceError::LinkDown { message }
            | IfaceError::Stopped { message }
            | IfaceError::Os { message, .. } => message,
        }
    }

    /// Whether the mode cannot run here (the 0.2.0 crate's only error).
    #[must_use]
    pub fn is_not_supported(&self) -> bool {
        matches!(self, IfaceError::NotSupported { .. })
    }
}

impl fmt::Display for IfaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message().is_empty() {
            write!(f, "{}", io::Error::from_raw_os_error(self.errno()))
        } else {
            f.write_str(self.message())
        }
    }
}

impl std::error::Error for IfaceError {}

impl From<IfaceError> for io::Error {
    fn from(e: IfaceError) -> io::Error {
        let kind = match e {
            IfaceError::NotSupported { .. } => io::ErrorKind::Unsupported,
            IfaceError::Invalid { .. } => io::ErrorKind::InvalidInput,
            IfaceError::Timeout { .. } => io::ErrorKind::TimedOut,
            IfaceError::FrameTooLarge { .. } => io::ErrorKind::InvalidData,
            IfaceError::LinkDown { .. } => io::ErrorKind::NotConnected,
            IfaceError::Stopped { .. } => io::ErrorKind::BrokenPipe,
            IfaceError::Os { errno, .. } => io::Error::from_raw_os_error(errno).kind(),
        };
        io::Error::new(kind, e)
    }
}
