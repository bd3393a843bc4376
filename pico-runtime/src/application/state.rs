//! `AppState`: values an app shares with every request (a store, a pool, a
//! configuration), one per type, handed to `#[state]` parameters.
//!
//! The map is filled while the app is built and never changes after, so a
//! request reads it without a lock, and nothing a request does (a panic
//! included) can poison it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::serve::shutdown::Shutdown;

/// The values an app shares, one per type: what [`App::state`](crate::App::state)
/// stored. Hooks reach it through [`Request::state`](crate::Request::state),
/// and `#[from_request]` extractors receive it as their state.
#[derive(Clone, Default)]
pub struct AppState {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>, BuildHasherDefault<IdHasher>>,
    names: Vec<&'static str>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(&self.names).finish()
    }
}

impl AppState {
    /// The value of type `T`, when the app was given one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// The value of type `T`, shared.
    pub(crate) fn shared<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        Arc::clone(self.values.get(&TypeId::of::<T>())?).downcast().ok()
    }

    pub(crate) fn contains(&self, id: TypeId) -> bool {
        self.values.contains_key(&id)
    }

    /// The state every app starts with: its [`Shutdown`].
    pub(crate) fn with_shutdown() -> AppState {
        let mut state = AppState::default();
        state.insert(Shutdown::default());
        state
    }

    /// Stores `value`, replacing an earlier value of its type.
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let name = std::any::type_name::<T>();
        if self.values.insert(TypeId::of::<T>(), Arc::new(value)).is_none() {
            self.names.push(name);
        }
    }
}

/// A `TypeId` is already a hash; hashing it again is wasted work.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// A state type an exposed function needs, to check at start-up that the
/// app has it.
#[derive(Debug, Clone, Copy)]
pub struct StateNeed {
    /// The type's id.
    pub id: fn() -> TypeId,
    /// The type's name, for the message when it is missing.
    pub name: fn() -> &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_type() {
        let mut state = AppState::default();
        state.insert(5_u32);
        state.insert(String::from("a"));
        state.insert(6_u32);
        assert_eq!(state.get::<u32>(), Some(&6));
        assert_eq!(state.get::<String>().map(String::as_str), Some("a"));
        assert_eq!(state.get::<u64>(), None);
        assert_eq!(*state.shared::<u32>().unwrap(), 6);
        assert_eq!(format!("{state:?}"), "{\"u32\", \"alloc::string::String\"}");
    }
}
