//! How enums are stored: every enum column holds one fixed string per variant, declared once
//! with [`stored_enum!`], which gives the type `ALL`, `as_str` and a `FromStr` that fails with
//! [`UnknownVariant`]. The server reads every such column through that `FromStr`.

/// A stored value that is not one of the known variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}: {value:?}")]
pub struct UnknownVariant {
    pub what: &'static str,
    pub value: String,
}

/// `stored_enum!(Type, "what it is" { Variant => "text", ... })`.
#[macro_export]
macro_rules! stored_enum {
    ($name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored (and JSON) form.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::stored::UnknownVariant;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::stored::UnknownVariant {
                        what: $what,
                        value: value.to_owned(),
                    }),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::admin::Role;
    use crate::conversation::Author;
    use crate::integration::{IntegrationKind, Status};
    use crate::provider::ProviderKind;

    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::str::FromStr,
        T: StoredText,
    {
        for variant in all {
            let parsed = variant.text().parse::<T>().ok();
            assert_eq!(parsed, Some(*variant), "{variant:?}");
        }
    }

    trait StoredText {
        fn text(self) -> &'static str;
    }

    macro_rules! text {
        ($($name:ty),+) => {$(impl StoredText for $name {
            fn text(self) -> &'static str { self.as_str() }
        })+};
    }
    text!(Role, Author, IntegrationKind, Status, ProviderKind);

    #[test]
    fn every_stored_enum_reads_back_what_it_writes() {
        round_trips(Role::ALL);
        round_trips(Author::ALL);
        round_trips(IntegrationKind::ALL);
        round_trips(Status::ALL);
        round_trips(ProviderKind::ALL);
        let unknown = "root".parse::<Role>().unwrap_err();
        assert_eq!(unknown.to_string(), "unknown role: \"root\"");
    }
}
