//! The words of names, which rules and recognisers read alike: `findOneAndUpdate`,
//! `API_KEY`, `userRouter`.

/// The words of an identifier, key or keyword: `dbPassword` → [db, password],
/// `API_KEY` → [api, key], `x-api-key` → [x, api, key], `OAuth2Token` → [o, auth2, token]
/// (digits stay with their word).
pub fn word_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let characters: Vec<char> = name.chars().collect();
    for (index, &character) in characters.iter().enumerate() {
        if !character.is_alphanumeric() {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = index.checked_sub(1).map(|previous| characters[previous]);
        let next = characters.get(index + 1);
        let starts_word = character.is_uppercase()
            && previous.is_some_and(|previous| {
                previous.is_lowercase()
                    || (previous.is_uppercase() && next.is_some_and(|next| next.is_lowercase()))
            });
        if starts_word && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        current.extend(character.to_lowercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(word_parts("dbPassword"), ["db", "password"]);
        assert_eq!(word_parts("API_KEY"), ["api", "key"]);
        assert_eq!(word_parts("x-api-key"), ["x", "api", "key"]);
        assert_eq!(word_parts("HTTPSProxyToken"), ["https", "proxy", "token"]);
        assert_eq!(word_parts("client_secret"), ["client", "secret"]);
        assert_eq!(word_parts(""), Vec::<String>::new());
    }
}
