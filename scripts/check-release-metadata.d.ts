/** Types of check-release-metadata.js, for the tests (test/unit/releaseMetadata.test.ts). */
export declare const PLACEHOLDERS: {
	authorNames: string[];
	authorEmails: string[];
	repositoryOwners: string[];
};

export declare function checkReleaseMetadata(
	pkg: Record<string, unknown>,
	env?: Record<string, string | undefined>,
): string[];
