//! A CSV file of links, read line by line: `slug,target,tags` with a header,
//! the slug empty for one made up, the tags apart by spaces. A bad line is
//! reported by its number and the good ones are kept.

use super::errors::LinkError;
use super::fields::{Slug, Tag, Target};
use super::link::NewLink;

/// The largest file taken, in bytes.
pub const MAX_BYTES: usize = 1 << 20;
/// The most links a file may hold.
pub const MAX_ROWS: usize = 1000;

/// A line that made no link, and why.
#[derive(Debug, PartialEq, serde::Serialize, pico::JsonSchema)]
#[schemars(crate = "pico::schemars")]
pub struct Rejected {
    /// Its number in the file, the header being line 1.
    pub line: u64,
    pub error: String,
}

/// What a file holds: the links, each with its line number, and the lines
/// refused.
pub struct Lines {
    pub links: Vec<(u64, NewLink)>,
    pub rejected: Vec<Rejected>,
}

pub fn read(file: &[u8]) -> Result<Lines, LinkError> {
    if file.len() > MAX_BYTES {
        return Err(LinkError::ImportTooLarge(MAX_BYTES));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(file);
    let (mut links, mut rejected) = (Vec::new(), Vec::new());
    for (count, record) in reader.records().enumerate() {
        if count == MAX_ROWS {
            return Err(LinkError::ImportTooLong(MAX_ROWS));
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                rejected.push(Rejected { line, error: "not a line of CSV (is it UTF-8?)".to_owned() });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        match link_of(&record) {
            Ok(link) => links.push((line, link)),
            Err(error) => rejected.push(Rejected { line, error }),
        }
    }
    Ok(Lines { links, rejected })
}

fn link_of(record: &csv::StringRecord) -> Result<NewLink, String> {
    if !(2..=3).contains(&record.len()) {
        return Err(format!("{} fields where slug,target,tags were expected", record.len()));
    }
    let slug = match &record[0] {
        "" => Slug::random(),
        given => Slug::try_from(given.to_owned())?,
    };
    let target = Target::try_from(record[1].to_owned())?;
    let tags = record
        .get(2)
        .unwrap_or("")
        .split_whitespace()
        .map(|t| Tag::try_from(t.to_owned()))
        .collect::<Result<_, _>>()?;
    Ok(NewLink { slug, target, tags })
}
