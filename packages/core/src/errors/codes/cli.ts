/** The openmid command-line tool. */
export const CLI_CODES = {
  ERR_CLI_USAGE:
    'The command line is invalid (unknown command or option, missing argument). Exit status 2.',
  ERR_CLI_FILE_UNREADABLE: 'An input file cannot be read or is not of the expected form.',
} as const;
